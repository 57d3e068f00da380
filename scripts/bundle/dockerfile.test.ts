import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, posix, relative } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { bundleDirectory, bundleEntry, bundleFunction, bundleTarget, type FunctionBundle } from "./bundle-function.js";
import { dockerContextFilter } from "./docker-context-filter.js";
import { parseDockerfile, type DockerInstruction, type DockerStage } from "./parse-dockerfile.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dockerfile = parseDockerfile(readFileSync(join(root, "Dockerfile"), "utf8"));
const inContext = dockerContextFilter(readFileSync(join(root, ".dockerignore"), "utf8"));
const packageJson = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { engines: { node: string }; workspaces: string[] };

const [buildStage, finalStage] = dockerfile.stages as [DockerStage, DockerStage];
const all = (stage: DockerStage, keyword: string): DockerInstruction[] => stage.instructions.filter((i) => i.keyword === keyword);
const last = (stage: DockerStage, keyword: string): DockerInstruction | undefined => all(stage, keyword).at(-1);
/** `engines.node` (">=20.11") as [major, minor]. */
const engines = (/^>=\s*(\d+)\.(\d+)/.exec(packageJson.engines.node) ?? []).slice(1).map(Number);

describe("Dockerfile", () => {
  it("should build in two stages on the exact Node.js release whose major the tests and engines use", () => {
    assert.equal(dockerfile.stages.length, 2);
    assert.match(dockerfile.syntax ?? "", /^docker\/dockerfile:1\.(\d{2,})$/, "COPY --parents is stable from dockerfile 1.20");
    assert.ok(Number(/1\.(\d+)$/.exec(dockerfile.syntax!)![1]) >= 20);
    for (const stage of dockerfile.stages) {
      const version = /^node:(\d+)\.(\d+)\.(\d+)-bookworm-slim$/.exec(stage.image);
      assert.ok(version, `${stage.image} pins a Node.js release (major.minor.patch), not a floating tag`);
      const [major, minor] = version.slice(1).map(Number) as [number, number];
      assert.equal(major, Number(process.versions.node.split(".")[0]), "the Node.js major the tests run on");
      assert.equal(major, engines[0], `package.json engines.node (${packageJson.engines.node})`);
      assert.ok(minor >= engines[1]!, `${stage.image} satisfies engines.node ${packageJson.engines.node}`);
      assert.equal(`node${major}`, bundleTarget, "the bundle's esbuild target");
    }
    assert.equal(buildStage.image, finalStage.image, "built and run on the same release");
  });

  it("should bundle the function named by the FUNCTION build argument", () => {
    assert.ok(buildStage.name, "the build stage is named, for COPY --from");
    const run = all(buildStage, "RUN").find((i) => i.args.join(" ").includes("npm run bundle"));
    assert.ok(run, "a RUN with npm run bundle");
    assert.match(run.args.join(" "), /npm run bundle -- "\$FUNCTION"$/);
    assert.ok(buildStage.instructions.indexOf(last(buildStage, "ARG")!) < buildStage.instructions.indexOf(run));
    assert.deepEqual(last(buildStage, "ARG")?.args, ["FUNCTION"]);
    const npmCi = all(buildStage, "RUN").findIndex((i) => /\bnpm ci\b/.test(i.args.join(" ")));
    const bundle = all(buildStage, "RUN").indexOf(run);
    assert.ok(npmCi >= 0 && npmCi < bundle, "npm ci before the bundle");
  });

  it("should copy only the bundle directory into the final stage and run its entry as a non-root user, without a shell", () => {
    assert.equal(all(finalStage, "ADD").length, 0);
    const copies = all(finalStage, "COPY");
    assert.equal(copies.length, 1, "one COPY: the bundle directory");
    const [copy] = copies as [DockerInstruction];
    assert.equal(copy.flags["from"], buildStage.name);
    const buildDir = last(buildStage, "WORKDIR")!.args[0]!;
    assert.deepEqual(copy.args, [`${posix.join(buildDir, bundleDirectory("${FUNCTION}"))}/`, "./"]);
    assert.deepEqual(last(finalStage, "ARG")?.args, ["FUNCTION"], "FUNCTION declared again in the final stage");
    assert.equal(last(finalStage, "WORKDIR")?.args[0], "/app");

    const user = /^(\d+):(\d+)$/.exec(last(finalStage, "USER")?.args[0] ?? "");
    assert.ok(user, "USER uid:gid, numeric so runAsNonRoot can check it");
    assert.notEqual(Number(user[1]), 0);
    assert.notEqual(Number(user[2]), 0);
    const lastUser = finalStage.instructions.indexOf(last(finalStage, "USER")!);
    assert.ok(finalStage.instructions.slice(lastUser).every((i) => i.keyword !== "RUN"), "nothing runs as root after USER");

    const env = Object.fromEntries(all(finalStage, "ENV").flatMap((i) => i.args.map((a) => a.split("=") as [string, string])));
    assert.equal(env["NODE_ENV"], "production");
    assert.equal(env["PORT"], "8080");
    assert.deepEqual(last(finalStage, "EXPOSE")?.args, [env["PORT"]]);

    const entrypoint = last(finalStage, "ENTRYPOINT");
    assert.ok(entrypoint?.execForm, "exec form: no shell between the kubelet's SIGTERM and node");
    assert.equal(entrypoint.args[0], "node");
    assert.equal(entrypoint.args.at(-1), bundleEntry, "the file npm run bundle writes");
    assert.equal(all(finalStage, "CMD").length, 0);
  });

  it("should copy every workspace's package.json before npm ci", () => {
    const manifests = all(buildStage, "COPY").find((i) => i.flags["parents"] === "true");
    assert.ok(manifests, "COPY --parents of the manifests");
    const sources = manifests.args.slice(0, -1).flatMap((source) => expand(source));
    const workspaces = packageJson.workspaces.flatMap((w) => expand(w)).map((w) => `${w}/package.json`);
    for (const file of ["package.json", "package-lock.json", ...workspaces]) {
      assert.ok(sources.includes(file), `${file} is copied before npm ci`);
      assert.ok(inContext(file), `${file} is in the build context`);
    }
  });

  describe("build context", () => {
    let out: string;
    let bundle: FunctionBundle;
    before(async () => {
      out = mkdtempSync(join(tmpdir(), "kinetic-context-"));
      bundle = await bundleFunction({ name: "identity", outDir: join(out, "identity") });
    });
    after(() => rmSync(out, { recursive: true, force: true }));

    it("should hold every source file the bundle is built from, the bundler and the migrations", () => {
      const sources = Object.keys(bundle.metafile.inputs).filter((path) => !path.includes("node_modules/") && existsSync(join(root, path)));
      assert.ok(sources.some((path) => path.startsWith("shared/src/")) && sources.some((path) => path.startsWith("functions/identity/src/")));
      const bundler = readdirSync(join(root, "scripts/bundle")).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts")).map((f) => `scripts/bundle/${f}`);
      const migrations = bundle.migrations.map((f) => `functions/identity/migrations/${f}`);
      for (const path of [...sources, ...bundler, ...migrations, "tsconfig.json", "tsconfig.base.json"]) {
        assert.ok(inContext(path), `${path} is in the build context`);
      }
    });

    it("should leave out installed, built, local and test files", () => {
      const bundleFile = relative(root, join(root, bundleDirectory("identity"), bundleEntry));
      for (const path of ["node_modules/esbuild/package.json", "shared/node_modules/x/index.js", "functions/identity/dist/index.js", bundleFile, ".git/HEAD", ".env", ".cache/kafka/x.jar", "bench/run.mjs", "functions/identity/src/identity-service.test.ts"]) {
        assert.ok(!inContext(path), `${path} is left out`);
      }
    });
  });
});

/** Internal: a path whose segments may be `*` expanded against the repository, as COPY and npm workspaces do. */
function expand(pattern: string): string[] {
  return pattern
    .split("/")
    .reduce<string[]>((paths, segment) => paths.flatMap((path) => (segment === "*" ? readdirSync(join(root, path)).map((entry) => posix.join(path, entry)) : [posix.join(path, segment)])), [""])
    .filter((path) => existsSync(join(root, path)));
}
