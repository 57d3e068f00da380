import type { DependencyVersions } from "./dependency-versions.js";
import type { FunctionNaming } from "./function-naming.js";
import { indexFile } from "./templates/index-file.js";
import { migrationFile } from "./templates/migration-file.js";
import { packageJsonFile } from "./templates/package-json-file.js";
import { protoFile } from "./templates/proto-file.js";
import { serviceFile } from "./templates/service-file.js";
import { serviceTestFile } from "./templates/service-test-file.js";
import { tsconfigBuildFile } from "./templates/tsconfig-build-file.js";

/**
 * Every new file of a function, by path from the repository root, in the order a reader meets
 * them: the contract, the package, the declaration, the code, its migration and its test.
 */
export function functionFiles(n: FunctionNaming, description: string, versions: DependencyVersions): Map<string, string> {
  return new Map([
    [n.protoPath, protoFile(n, description)],
    [`${n.dir}/package.json`, packageJsonFile(n, description, versions)],
    [`${n.dir}/tsconfig.build.json`, tsconfigBuildFile()],
    [`${n.dir}/src/index.ts`, indexFile(n, description)],
    [`${n.dir}/src/${n.name}-service.ts`, serviceFile(n)],
    [`${n.dir}/migrations/0001_${n.snake}.sql`, migrationFile(n)],
    [`${n.dir}/src/${n.name}-service.test.ts`, serviceTestFile(n)],
  ]);
}
