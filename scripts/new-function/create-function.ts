import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { withProjectReference } from "./add-project-reference.js";
import { assertFunctionAbsent } from "./assert-function-absent.js";
import { dependencyVersions } from "./dependency-versions.js";
import { functionFiles } from "./function-files.js";
import { functionNaming, type FunctionNaming } from "./function-naming.js";
import { UsageError } from "./usage-error.js";
import { defaultDescription, validateFunctionDescription } from "./validate-function-description.js";
import { validateFunctionName } from "./validate-function-name.js";

export interface CreateFunctionOptions {
  /** The repository root (where the root package.json and tsconfig.build.json are). Required. */
  root: string;
  /** The new function's name; validated here. Required. */
  name: string;
  /** One line on what the function owns. Default `defaultDescription()`. */
  description?: string | undefined;
}

/** What `createFunction` did. */
export interface CreatedFunction {
  readonly naming: FunctionNaming;
  /** Files written, from the root, in the order they were written. */
  readonly created: readonly string[];
  /** Existing files changed: the root tsconfig.build.json. */
  readonly changed: readonly string[];
}

/**
 * Writes a new function's source files and adds its project reference to the root
 * `tsconfig.build.json`. Every check (name, description, nothing in the way) runs before the
 * first write, and files are created with `wx`, so an existing file is never overwritten.
 * Generated code, manifests and the lockfile are left to `npm run gen` and `linkWorkspace`.
 *
 * @example
 * const { created } = createFunction({ root, name: "greeter", description: "greetings, counted per name" });
 */
export function createFunction({ root, name, description = defaultDescription() }: CreateFunctionOptions): CreatedFunction {
  const buildConfig = join(root, "tsconfig.build.json");
  if (!existsSync(buildConfig) || !existsSync(join(root, "functions"))) {
    throw new UsageError(`${root} is not the Kinetic repository: it needs tsconfig.build.json and functions/`);
  }
  const naming = functionNaming(validateFunctionName(name));
  const line = validateFunctionDescription(description);
  assertFunctionAbsent(root, naming);
  const files = functionFiles(naming, line, dependencyVersions(root));
  const config = withProjectReference(readFileSync(buildConfig, "utf8"), `${naming.dir}/tsconfig.build.json`);

  for (const [path, text] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text, { flag: "wx" });
  }
  writeFileSync(buildConfig, config);
  return { naming, created: [...files.keys()], changed: ["tsconfig.build.json"] };
}
