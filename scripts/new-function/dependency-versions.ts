import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The exact versions a function's package.json pins, by package name. */
export type DependencyVersions = Readonly<Record<string, string>>;

/** Libraries every function's own code imports; the others' package.json list the same. */
const libraries = ["@bufbuild/protobuf", "@connectrpc/connect"];

/**
 * Reads the versions a new function depends on from the workspace itself: the libraries at the
 * versions `@kinetic/runtime` pins (a function must share its protobuf and Connect runtime), and
 * the workspace packages at their own versions. An upgrade of the runtime therefore carries over
 * to every function scaffolded after it.
 */
export function dependencyVersions(root: string): DependencyVersions {
  const runtime = readPackage(root, "shared");
  const contracts = readPackage(root, "proto");
  const versions: Record<string, string> = {};
  for (const library of libraries) {
    const version = runtime.dependencies?.[library];
    if (version === undefined) throw new Error(`shared/package.json does not list ${library}: the scaffold needs its version`);
    versions[library] = version;
  }
  versions[contracts.name] = contracts.version;
  versions[runtime.name] = runtime.version;
  return versions;
}

interface PackageJson {
  readonly name: string;
  readonly version: string;
  readonly dependencies?: Record<string, string>;
}

function readPackage(root: string, dir: string): PackageJson {
  return JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8")) as PackageJson;
}
