/**
 * Writes `knative/base/`, generated from every `functions/<name>/src/index.ts` declaration:
 * `eventing/` (the Kafka Broker, its config, the dead-letter sink, one Trigger per
 * subscription), `serving/` (the platform ConfigMap, one Knative Service per function) and the
 * `kustomization.yaml` listing them all. Removes the files of functions that are gone. The
 * tests fail when the committed files differ from what this writes.
 *
 *   npm run manifests
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadDeclarations } from "../gen-function-directory.js";
import { brokerTopicName, eventingManifests, eventingNames, type EventingDeclaration, type EventingManifestsOptions } from "./eventing-manifests.js";
import { kustomizationFile, manifestFiles, servingManifestFiles } from "./manifest-files.js";
import type { ServingDeclaration } from "./service-from-declaration.js";
import { servingManifests, type ServingManifestsOptions } from "./serving-manifests.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Where the generated base lives; overlays in `knative/overlays/<env>` build on it. */
export const baseManifestsDir = join(root, "knative/base");

/** Where the eventing manifests live (the local dispatcher reads its Triggers from here). */
export const eventingManifestsDir = join(baseManifestsDir, "eventing");

/** The generated subfolders of the base, each holding only generated YAML files. */
const generatedDirs = ["eventing", "serving"] as const;

/**
 * The cluster's values. The bootstrap servers follow Strimzi's naming for a cluster `kafka` in
 * namespace `kafka`; an overlay patches them where Kafka lives elsewhere.
 */
export const platformEventing: EventingManifestsOptions = {
  bootstrapServers: ["kafka-kafka-bootstrap.kafka:9092"],
  namespace: "default",
  partitions: 10,
  replicationFactor: 3,
};

/** The serving side of the same cluster: the functions publish to the broker's topic on the same Kafka. */
export const platformServing: ServingManifestsOptions = {
  kafkaBrokers: platformEventing.bootstrapServers,
  eventsTopic: brokerTopicName(platformEventing.namespace ?? "default", eventingNames.broker),
  namespace: platformEventing.namespace ?? "default",
};

/** The files `writeManifests` writes into `knative/base/eventing/` for `declarations`, by file name. */
export function eventingManifestFiles(declarations: readonly EventingDeclaration[]): Map<string, string> {
  return manifestFiles(eventingManifests(declarations, platformEventing));
}

/**
 * Every generated file of `knative/base/` for `declarations`, by path relative to it:
 * `eventing/…`, `serving/…` and `kustomization.yaml`, which lists the others in that order.
 */
export function baseManifestFiles(declarations: readonly (EventingDeclaration & ServingDeclaration)[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const [file, text] of eventingManifestFiles(declarations)) files.set(`eventing/${file}`, text);
  for (const [file, text] of servingManifestFiles(servingManifests(declarations, platformServing))) files.set(`serving/${file}`, text);
  files.set("kustomization.yaml", kustomizationFile([...files.keys()]));
  return files;
}

/** The YAML files now in `dir`, by file name. */
export function readManifestFiles(dir: string): Map<string, string> {
  if (!existsSync(dir)) return new Map();
  const names = readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();
  return new Map(names.map((f) => [f, readFileSync(join(dir, f), "utf8")]));
}

/** The YAML files now in `base` and its generated subfolders, by path relative to `base`, as `baseManifestFiles` keys them. */
export function readManifestTree(base: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const dir of generatedDirs) for (const [file, text] of readManifestFiles(join(base, dir))) files.set(`${dir}/${file}`, text);
  for (const [file, text] of readManifestFiles(base)) files.set(file, text);
  return files;
}

/** Writes `files` into `dir` and deletes the YAML files there that `files` does not hold. */
export function writeManifests(dir: string, files: ReadonlyMap<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const stale of readManifestFiles(dir).keys()) if (!files.has(stale)) rmSync(join(dir, stale));
  for (const [file, text] of files) writeFileSync(join(dir, file), text);
}

/** Writes `files` (keyed as `baseManifestFiles` keys them) under `base`, folder by folder, deleting stale YAML files in each. */
export function writeManifestTree(base: string, files: ReadonlyMap<string, string>): void {
  const dirs: readonly string[] = ["", ...generatedDirs];
  const stray = [...files.keys()].find((path) => !dirs.includes(dirname(path) === "." ? "" : dirname(path)));
  if (stray !== undefined) throw new TypeError(`${stray} is outside the generated folders (${generatedDirs.join(", ")})`);
  for (const dir of dirs) {
    const inDir = [...files].filter(([path]) => (dirname(path) === "." ? "" : dirname(path)) === dir);
    writeManifests(join(base, dir), new Map(inDir.map(([path, text]) => [path.slice(dir === "" ? 0 : dir.length + 1), text])));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = baseManifestFiles(await loadDeclarations());
  writeManifestTree(baseManifestsDir, files);
  process.stdout.write(`wrote knative/base/: ${[...files.keys()].join(", ")}\n`);
}
