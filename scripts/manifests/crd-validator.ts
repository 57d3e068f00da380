import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { parseAllDocuments } from "yaml";
import { serviceAdmissionProblems } from "./service-admission-problems.js";
import { undeclaredFields, type StructuralSchema } from "./undeclared-fields.js";

/** Checks Kubernetes objects the way the API server would before admitting them. */
export interface CrdValidator {
  /** What is wrong with `object`, one line per problem naming kind, name and field; empty when valid. */
  validate(object: unknown): string[];
}

export interface CrdValidatorOptions {
  /**
   * Checks beyond the schema, by `<apiVersion>/<kind>`: what an admission webhook enforces.
   * Default: Knative Serving's for `serving.knative.dev/v1/Service` (`serviceAdmissionProblems`).
   */
  admissionRules?: Readonly<Record<string, (object: unknown) => string[]>>;
}

/** The admission rules `createCrdValidator` applies unless told otherwise. */
export const knativeAdmissionRules: Readonly<Record<string, (object: unknown) => string[]>> = {
  "serving.knative.dev/v1/Service": serviceAdmissionProblems,
};

interface Crd {
  spec: {
    group: string;
    names: { kind: string };
    versions: { name: string; served: boolean; schema: { openAPIV3Schema: StructuralSchema } }[];
  };
}

/** Kubernetes' vendor extensions in CRD schemas: meaningful to the API server, not to JSON Schema. */
const kubernetesKeywords = [
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-int-or-string",
  "x-kubernetes-embedded-resource",
  "x-kubernetes-list-type",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-map-type",
  "x-kubernetes-validations",
];

/** core/v1 ConfigMap has no CRD: its shape from the Kubernetes API, `data` a map of strings. */
const configMapSchema = {
  type: "object",
  properties: {
    data: { type: "object", additionalProperties: { type: "string" } },
    binaryData: { type: "object", additionalProperties: { type: "string" } },
    immutable: { type: "boolean" },
  },
};

const dnsLabel = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const dnsSubdomain = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const qualifiedName = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;

/**
 * A validator from CRD YAML files (several documents each allowed): an object must name a served
 * version of a known CRD (or be a core ConfigMap), carry valid metadata, satisfy the version's
 * `openAPIV3Schema` (with ajv; `x-kubernetes-*` keywords registered as annotations, `int32` and
 * `int64` formats checked), hold no field the schema does not declare (`undeclaredFields`) and
 * pass its kind's admission rules (Knative Serving's webhook for Services).
 *
 * @example
 * const validator = createCrdValidator([readFileSync("crds/eventing-trigger.yaml", "utf8")]);
 * assert.deepEqual(validator.validate(trigger), []);
 */
export function createCrdValidator(crdYamls: readonly string[], options: CrdValidatorOptions = {}): CrdValidator {
  const { admissionRules = knativeAdmissionRules } = options;
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
  ajv.addVocabulary(kubernetesKeywords);
  ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isSafeInteger(n) });
  const schemas = new Map<string, { schema: StructuralSchema; validate: ValidateFunction }>();
  schemas.set("v1/ConfigMap", { schema: configMapSchema, validate: ajv.compile(configMapSchema) });
  for (const text of crdYamls) {
    for (const document of parseAllDocuments(text)) {
      const crd = document.toJS() as (Crd & { kind?: string }) | null;
      if (crd?.kind !== "CustomResourceDefinition") continue;
      for (const version of crd.spec.versions.filter((v) => v.served)) {
        const schema = version.schema.openAPIV3Schema;
        schemas.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, { schema, validate: ajv.compile(schema) });
      }
    }
  }

  return {
    validate(object) {
      const { apiVersion, kind, metadata } = (object ?? {}) as { apiVersion?: unknown; kind?: unknown; metadata?: Record<string, unknown> };
      const name = `${String(kind)} ${String(metadata?.["name"])}`;
      const entry = schemas.get(`${String(apiVersion)}/${String(kind)}`);
      if (entry === undefined) return [`${name}: no served CRD defines ${String(apiVersion)} ${String(kind)}`];
      const problems = metadataProblems(metadata);
      if (!entry.validate(object)) problems.push(...(entry.validate.errors ?? []).map(describeError));
      const { apiVersion: _v, kind: _k, metadata: _m, ...body } = object as Record<string, unknown>;
      problems.push(...undeclaredFields(entry.schema, body, "").map((path) => `${path.slice(1)} is not declared by the schema`));
      problems.push(...(admissionRules[`${String(apiVersion)}/${String(kind)}`]?.(object) ?? []));
      return problems.map((p) => `${name}: ${p}`);
    },
  };
}

/** Internal: the ObjectMeta rules every object is held to. */
function metadataProblems(metadata: Record<string, unknown> | undefined): string[] {
  const problems: string[] = [];
  const { name, namespace, labels = {}, annotations = {} } = (metadata ?? {}) as Record<string, unknown>;
  if (typeof name !== "string" || !dnsSubdomain.test(name)) problems.push(`metadata.name ${JSON.stringify(name)} is not a DNS-1123 subdomain`);
  if (namespace !== undefined && (typeof namespace !== "string" || !dnsLabel.test(namespace))) problems.push("metadata.namespace is not a DNS-1123 label");
  for (const [key, value] of Object.entries(labels as Record<string, unknown>)) {
    if (!qualifiedName.test(key) || typeof value !== "string" || !labelValue.test(value)) problems.push(`label ${key}=${String(value)} is invalid`);
  }
  for (const [key, value] of Object.entries(annotations as Record<string, unknown>)) {
    if (!qualifiedName.test(key) || typeof value !== "string") problems.push(`annotation ${key} is invalid`);
  }
  return problems;
}

function describeError(error: ErrorObject): string {
  const path = error.instancePath.slice(1).replaceAll("/", ".") || "(object)";
  return `${path} ${error.message ?? "is invalid"}${error.keyword === "enum" ? ` (${JSON.stringify(error.params["allowedValues"])})` : ""}`;
}
