import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, realpath, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build, type Metafile } from "esbuild";
import type { KineticFunction } from "@kinetic/runtime";
import { copyMigrations } from "./copy-migrations.js";
import { dependencyPatchPlugin } from "./dependency-patch-plugin.js";
import { moduleUrlPlugin } from "./module-url-plugin.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** The file a bundle's container runs (`node index.mjs`), inside its directory: the loader. */
export const bundleEntry = "index.mjs";

/** The bundled code the loader compiles, beside it with its source map and V8 code cache. */
export const bundleCode = "function.cjs";

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
  /**
   * The module whose default export is the declaration, for a function kept outside
   * `functions/` (the benchmarks' echo fixture); its package is the nearest folder above it with
   * a package.json. Relative to the repository root. Default `functions/<name>/src/index.ts`.
   */
  source?: string | undefined;
}

/** What `bundleFunction` wrote. */
export interface FunctionBundle {
  /** The bundle's directory: `index.mjs`, `function.cjs` with its `.map` and `.cache`, and the migrations folder. */
  readonly directory: string;
  /** `<directory>/index.mjs`. */
  readonly entry: string;
  /** Size of `function.cjs` in bytes. */
  readonly bytes: number;
  /** The migration files copied, sorted. */
  readonly migrations: readonly string[];
  /** esbuild's record of every input of `function.cjs`, for checks on what the bundle is made of. */
  readonly metafile: Metafile;
}

/**
 * Bundles one function with the runtime's launcher so that it runs with plain `node index.mjs`
 * from a directory without node_modules. `function.cjs` holds the declaration (imported
 * statically, no import by path at run time), `runFunction` and every dependency inlined — the
 * OpenTelemetry SDK and exporters too, still loaded lazily so that a function without an OTLP
 * endpoint never evaluates them. `index.mjs` is the loader (`load-bundle.ts`): it compiles
 * `function.cjs` with `function.cjs.cache`, the V8 code cache written here by evaluating the
 * bundle once with the Node.js running this and serving a few requests with an empty function
 * (`trainCodeCache`), so that a start and its first requests skip most parsing and compiling;
 * hence CommonJS, which Node 20 compiles with a code cache (`vm.Script`) where it cannot an ES
 * module. The declared migrations are copied beside them. Built from the TypeScript sources
 * (`kinetic-source`), so no `tsc` step comes first; types are checked by `npm run typecheck`.
 *
 * @example
 * const { entry } = await bundleFunction({ name: "identity" });  // dist/functions/identity/index.mjs
 */
export async function bundleFunction({ name, outDir = join(root, bundleDirectory(name)), source }: BundleFunctionOptions): Promise<FunctionBundle> {
  const module = await realpath(source === undefined ? join(root, "functions", name, "src/index.ts") : resolve(root, source));
  const packageDir = source === undefined ? await realpath(join(root, "functions", name)) : packageOf(module);
  const declaration = await loadDeclaration(name, module);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const code = join(outDir, bundleCode);
  const { metafile } = await build({
    stdin: {
      contents: entrySource(module),
      resolveDir: root,
      sourcefile: `${relative(root, packageDir)}/bundle-entry.ts`,
      loader: "ts",
    },
    outfile: code,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: bundleTarget,
    conditions: ["kinetic-source"],
    external: [...optionalExternals],
    // Stack traces are mapped with it (`map-stack-traces.ts`), which needs the mappings only.
    sourcemap: "linked",
    sourcesContent: false,
    // ES modules among the dependencies read import.meta.url: the bundle's own URL, as in ESM.
    banner: { js: `const __kineticModuleUrl = require("node:url").pathToFileURL(__filename).href;` },
    define: { "import.meta.url": "__kineticModuleUrl" },
    // import("http") in a dependency becomes require(): the loader's vm.Script has no ESM loader.
    supported: { "dynamic-import": false },
    // A third less to read and hash at each start; names stay, so stack traces keep them.
    minifyWhitespace: true,
    minifySyntax: true,
    // Cold-start fixes to dependencies, checked against each upgrade (dependency-patches.ts).
    plugins: [moduleUrlPlugin(packageDir), dependencyPatchPlugin()],
    absWorkingDir: root,
    metafile: true,
    logLevel: "warning",
  });
  await sourcesFromRoot(`${code}.map`);
  await build({
    entryPoints: [join(root, "scripts/bundle/load-bundle.ts")],
    outfile: join(outDir, bundleEntry),
    bundle: true,
    platform: "node",
    format: "esm",
    target: bundleTarget,
    absWorkingDir: root,
    logLevel: "warning",
  });
  writeCodeCache(join(outDir, bundleEntry));
  const migrations = await copyMigrations(declaration, packageDir, outDir);
  return { directory: outDir, entry: join(outDir, bundleEntry), bytes: (await stat(code)).size, migrations, metafile };
}

/** Internal: the bundled module, exporting what the loader runs: the static counterpart of `kinetic-serve <name>`. */
function entrySource(module: string): string {
  return [
    `import declaration from ${JSON.stringify(module)};`,
    `import { runFunction } from "@kinetic/runtime";`,
    `import { trainCodeCache } from ${JSON.stringify(join(root, "scripts/bundle/train-code-cache.ts"))};`,
    `export { declaration, runFunction, trainCodeCache };`,
  ].join("\n");
}

/** Internal: the source map's sources relative to the repository root, as stack traces should name them. */
async function sourcesFromRoot(mapFile: string): Promise<void> {
  const map = JSON.parse(await readFile(mapFile, "utf8")) as { sources: string[] };
  map.sources = map.sources.map((source) => relative(root, resolve(dirname(mapFile), source)));
  await writeFile(mapFile, JSON.stringify(map));
}

/** Internal: has the loader `entry` evaluate its bundle, serve a request (`trainCodeCache`) and write the code cache, with this Node.js. */
function writeCodeCache(entry: string): void {
  const result = spawnSync(process.execPath, [entry], {
    cwd: dirname(entry),
    env: { PATH: process.env["PATH"] ?? "", KINETIC_WRITE_CODE_CACHE: "1" },
    encoding: "utf8",
    timeout: 60_000,
  });
  if (result.status !== 0) throw new Error(`${entry} could not write its code cache: ${result.stderr || result.error?.message}`);
}

/** Internal: the declaration `path` exports, checked against the name it is bundled as. */
async function loadDeclaration(name: string, path: string): Promise<KineticFunction> {
  const module = (await import(pathToFileURL(path).href)) as { default?: KineticFunction };
  const shown = relative(root, path);
  if (module.default?.setup === undefined) throw new Error(`${shown} has no default export made with defineFunction()`);
  if (module.default.name !== name) throw new Error(`${shown} declares the name "${module.default.name}", not "${name}": they must match`);
  return module.default;
}

/** Internal: the nearest folder above `path` holding a package.json. */
function packageOf(path: string): string {
  for (let dir = dirname(path); dir !== dirname(dir); dir = dirname(dir)) if (existsSync(join(dir, "package.json"))) return dir;
  throw new Error(`${path} is in no package`);
}
