import { mkdir, realpath, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Metafile } from "esbuild";
import type { KineticFunction } from "@kinetic/runtime";
import { copyMigrations } from "./copy-migrations.js";
import { moduleUrlPlugin } from "./module-url-plugin.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** The file a bundle's container runs (`node index.mjs`), inside its directory. */
export const bundleEntry = "index.mjs";

/** Where `npm run bundle` writes function `name`, relative to the repository root. */
export function bundleDirectory(name: string): string {
  return `dist/functions/${name}`;
}

/**
 * Packages a dependency requires inside try/catch and runs fine without: left out of the bundle
 * on purpose, and nothing else is. `supports-color`: `debug` (ioredis's logger) colours its
 * output with it when installed; it is not.
 */
export const optionalExternals: readonly string[] = ["supports-color"];

/** The Node.js release the bundle's syntax must run on: the major of `engines.node` and of the images. */
export const bundleTarget = "node20";

export interface BundleFunctionOptions {
  /** The function's name: the folder under `functions/`. Required. */
  name: string;
  /** The directory to write, emptied first. Default `<repo>/dist/functions/<name>`. */
  outDir?: string | undefined;
}

/** What `bundleFunction` wrote. */
export interface FunctionBundle {
  /** The bundle's directory: `index.mjs`, `index.mjs.map` and the migrations folder. */
  readonly directory: string;
  /** `<directory>/index.mjs`. */
  readonly entry: string;
  /** Size of `index.mjs` in bytes. */
  readonly bytes: number;
  /** The migration files copied, sorted. */
  readonly migrations: readonly string[];
  /** esbuild's record of every input, for checks on what the bundle is made of. */
  readonly metafile: Metafile;
}

/**
 * Bundles one function with the runtime's launcher into a single ESM file that runs with plain
 * `node` from a directory without node_modules: its entry imports the declaration statically
 * and calls `runFunction` (no import by path at run time), every dependency is inlined — the
 * OpenTelemetry SDK and exporters too, still imported lazily so that a function without an OTLP
 * endpoint never evaluates them — and the declared migrations are copied beside it. Built from
 * the TypeScript sources (`kinetic-source`), so no `tsc` step comes first; types are checked by
 * `npm run typecheck`, not here.
 *
 * @example
 * const { entry } = await bundleFunction({ name: "identity" });  // dist/functions/identity/index.mjs
 */
export async function bundleFunction({ name, outDir = join(root, bundleDirectory(name)) }: BundleFunctionOptions): Promise<FunctionBundle> {
  const packageDir = await realpath(join(root, "functions", name));
  const declaration = await loadDeclaration(name, packageDir);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const entry = join(outDir, bundleEntry);
  const { metafile } = await build({
    stdin: {
      contents: entrySource(name),
      resolveDir: root,
      sourcefile: `functions/${name}/bundle-entry.ts`,
      loader: "ts",
    },
    outfile: entry,
    bundle: true,
    platform: "node",
    format: "esm",
    target: bundleTarget,
    conditions: ["kinetic-source"],
    external: [...optionalExternals],
    // Stack traces through --enable-source-maps need the mappings, not a copy of every source.
    sourcemap: "linked",
    sourcesContent: false,
    // CommonJS dependencies (kafkajs, ioredis, grpc-js…) call require() for Node built-ins and
    // read __dirname, neither of which exists in an ES module: give them real ones.
    banner: { js: nodeGlobals },
    define: { __dirname: "__kineticBundleDirname", __filename: "__kineticBundleFilename" },
    plugins: [moduleUrlPlugin(packageDir)],
    absWorkingDir: root,
    metafile: true,
    logLevel: "warning",
  });
  const migrations = await copyMigrations(declaration, packageDir, outDir);
  return { directory: outDir, entry, bytes: (await stat(entry)).size, migrations, metafile };
}

/** Internal: the bundle's entry module, the static counterpart of `kinetic-serve <name>`. */
function entrySource(name: string): string {
  return [
    `import declaration from "./functions/${name}/src/index.ts";`,
    `import { runFunction } from "@kinetic/runtime";`,
    `await runFunction(declaration);`,
  ].join("\n");
}

/** Internal: `require`, `__filename` and `__dirname` for the bundled CommonJS code. */
const nodeGlobals = [
  `import { createRequire as __kineticCreateRequire } from "node:module";`,
  `import { dirname as __kineticDirname } from "node:path";`,
  `import { fileURLToPath as __kineticFileURLToPath } from "node:url";`,
  `const require = __kineticCreateRequire(import.meta.url);`,
  `const __kineticBundleFilename = __kineticFileURLToPath(import.meta.url);`,
  `const __kineticBundleDirname = __kineticDirname(__kineticBundleFilename);`,
].join("\n");

/** Internal: function `name`'s declaration, checked against its folder's name. */
async function loadDeclaration(name: string, packageDir: string): Promise<KineticFunction> {
  const module = (await import(pathToFileURL(join(packageDir, "src/index.ts")).href)) as { default?: KineticFunction };
  if (module.default?.setup === undefined) throw new Error(`functions/${name}/src/index.ts has no default export made with defineFunction()`);
  if (module.default.name !== name) throw new Error(`functions/${name} declares the name "${module.default.name}": they must match`);
  return module.default;
}
