/**
 * Writes `knative/base/eventing/`: the Kafka Broker, its config, the dead-letter sink and one
 * Trigger per subscription, generated from every `functions/<name>/src/index.ts` declaration.
 * Removes files of functions that no longer subscribe. The tests fail when the committed files
 * differ from what this writes.
 *
 *   node --conditions=kinetic-source --import tsx scripts/manifests/write-manifests.ts
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadDeclarations } from "../gen-function-directory.js";
import { eventingManifests, type EventingDeclaration, type EventingManifestsOptions } from "./eventing-manifests.js";
import { manifestFiles } from "./manifest-files.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** Where the eventing manifests live. */
export const eventingManifestsDir = join(root, "knative/base/eventing");

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

/** The files `writeManifests` writes for `declarations`, by file name. */
export function eventingManifestFiles(declarations: readonly EventingDeclaration[]): Map<string, string> {
  return manifestFiles(eventingManifests(declarations, platformEventing));
}

/** The YAML files now in `dir`, by file name. */
export function readManifestFiles(dir: string): Map<string, string> {
  if (!existsSync(dir)) return new Map();
  const names = readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();
  return new Map(names.map((f) => [f, readFileSync(join(dir, f), "utf8")]));
}

/** Writes `files` into `dir` and deletes the YAML files there that `files` does not hold. */
export function writeManifests(dir: string, files: ReadonlyMap<string, string>): void {
  mkdirSync(dir, { recursive: true });
  for (const stale of readManifestFiles(dir).keys()) if (!files.has(stale)) rmSync(join(dir, stale));
  for (const [file, text] of files) writeFileSync(join(dir, file), text);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = eventingManifestFiles(await loadDeclarations());
  writeManifests(eventingManifestsDir, files);
  process.stdout.write(`wrote ${[...files.keys()].join(", ")} to knative/base/eventing/\n`);
}
