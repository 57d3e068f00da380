import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { parse, parseAllDocuments } from "yaml";

/** A Kubernetes object as read from YAML. */
export interface ManifestObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly [field: string]: unknown;
}

interface PatchTarget {
  group?: string;
  version?: string;
  kind?: string;
  name?: string;
}

interface Kustomization {
  resources?: string[];
  patches?: { path?: string; patch?: string; target?: PatchTarget }[];
  images?: { name: string; newName?: string; newTag?: string; digest?: string }[];
}

/**
 * The objects a kustomization's `resources:` list, recursively through the kustomizations it
 * names, as written (patches and transformers not applied: this is no kustomize). Throws a
 * `TypeError` naming a resource that does not exist.
 *
 * @example
 * kustomizationObjects("knative/base").map((o) => `${o.kind}/${o.metadata.name}`)
 */
export function kustomizationObjects(dir: string, relativeTo = process.cwd()): ManifestObject[] {
  return (readKustomization(dir).resources ?? []).flatMap((resource) => {
    const path = join(dir, resource);
    if (!existsSync(path)) throw new TypeError(`${relative(relativeTo, dir)}/kustomization.yaml: resource ${resource} does not exist`);
    if (statSync(path).isDirectory()) return kustomizationObjects(path, relativeTo);
    return parseAllDocuments(readFileSync(path, "utf8")).map((d) => d.toJS() as ManifestObject).filter((o) => o !== null);
  });
}

/**
 * What in the kustomization at `dir` points at nothing, one line each; empty when sound:
 * `resources:` that do not exist; patches whose file is missing, whose strategic-merge target
 * (apiVersion, kind, name) or JSON 6902 `target:` matches no resource, or whose JSON 6902 op
 * paths do not resolve in a matched object; `images:` that rewrite no container image; and
 * container images of the resources (`kinetic/<name>` placeholders) no `images:` entry rewrites.
 * Paths in the messages are relative to `relativeTo` (default the working directory).
 *
 * @example
 * assert.deepEqual(kustomizationProblems("knative/overlays/prod"), []);
 */
export function kustomizationProblems(dir: string, relativeTo = process.cwd()): string[] {
  const where = `${relative(relativeTo, dir) || "."}/kustomization.yaml`;
  let objects: ManifestObject[];
  try {
    objects = kustomizationObjects(dir, relativeTo);
  } catch (err) {
    return [err instanceof Error ? err.message : String(err)];
  }
  const { patches = [], images = [] } = readKustomization(dir);
  const problems: string[] = [];
  patches.forEach((entry, i) => {
    const at = `${where} patches[${i}]`;
    if (entry.path !== undefined && !existsSync(join(dir, entry.path))) return void problems.push(`${at}: ${entry.path} does not exist`);
    const text = entry.patch ?? readFileSync(join(dir, entry.path ?? ""), "utf8");
    const body = parse(text) as unknown;
    if (Array.isArray(body)) {
      const matched = entry.target === undefined ? [] : objects.filter((o) => matchesTarget(o, entry.target!));
      if (matched.length === 0) return void problems.push(`${at}: the JSON 6902 patch's target ${JSON.stringify(entry.target ?? null)} matches no resource`);
      for (const object of matched) problems.push(...operationProblems(body as Operation[], object).map((p) => `${at} on ${describe(object)}: ${p}`));
      return;
    }
    const patch = body as Partial<ManifestObject>;
    const found = objects.some((o) => o.apiVersion === patch.apiVersion && o.kind === patch.kind && o.metadata.name === patch.metadata?.name);
    if (!found) problems.push(`${at}: no resource is ${patch.apiVersion} ${patch.kind} ${patch.metadata?.name}`);
  });
  const placeholders = new Set(objects.flatMap(containerImages));
  for (const image of images) if (!placeholders.has(image.name)) problems.push(`${where} images: ${image.name} is no container's image`);
  for (const image of placeholders) if (!images.some((i) => i.name === image)) problems.push(`${where} images: nothing rewrites ${image}`);
  return problems;
}

/** Every container image of an object with a pod template (`spec.template.spec.containers`), tag and digest stripped. */
export function containerImages(object: ManifestObject): string[] {
  const spec = (object["spec"] as { template?: { spec?: { containers?: { image?: string }[] } } } | undefined)?.template?.spec;
  return (spec?.containers ?? []).flatMap((c) => (c.image ? [c.image.replace(/@.*$/, "").replace(/:[^/:]+$/, "")] : []));
}

type Operation = { op: string; path: string; from?: string };

/** Internal: the ops whose path (or `from`) does not resolve as the op needs in `object`. */
function operationProblems(operations: readonly Operation[], object: unknown): string[] {
  return operations.flatMap(({ op, path, from }) => {
    const needsTarget = op === "replace" || op === "remove" || op === "test";
    if (needsTarget && !pointerExists(object, path)) return [`${op} ${path}: no such field`];
    if (op === "add" && !pointerExists(object, path.slice(0, path.lastIndexOf("/")) || "")) return [`add ${path}: its parent does not exist`];
    if ((op === "move" || op === "copy") && (from === undefined || !pointerExists(object, from))) return [`${op} from ${from}: no such field`];
    if (!["add", "remove", "replace", "move", "copy", "test"].includes(op)) return [`unknown op ${op}`];
    return [];
  });
}

/** Internal: whether a JSON pointer (RFC 6901) names a value in `value`. */
function pointerExists(value: unknown, pointer: string): boolean {
  if (pointer === "") return true;
  let node = value;
  for (const token of pointer.slice(1).split("/").map((t) => t.replaceAll("~1", "/").replaceAll("~0", "~"))) {
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, token)) return false;
    node = (node as Record<string, unknown>)[token];
  }
  return true;
}

/** Internal: kustomize's target selector, by group, version, kind and exact name. */
function matchesTarget(object: ManifestObject, target: PatchTarget): boolean {
  const [group, version] = object.apiVersion.includes("/") ? object.apiVersion.split("/") : ["", object.apiVersion];
  return (
    (target.group === undefined || target.group === group) &&
    (target.version === undefined || target.version === version) &&
    (target.kind === undefined || target.kind === object.kind) &&
    (target.name === undefined || target.name === object.metadata.name)
  );
}

function readKustomization(dir: string): Kustomization {
  const file = join(dir, "kustomization.yaml");
  if (!existsSync(file)) throw new TypeError(`${relative(process.cwd(), dirname(file)) || "."} has no kustomization.yaml`);
  return parse(readFileSync(file, "utf8")) as Kustomization;
}

function describe(object: ManifestObject): string {
  return `${object.kind}/${object.metadata.name}`;
}
