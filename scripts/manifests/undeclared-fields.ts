/** The part of a structural OpenAPI v3 schema that says which fields exist. @internal */
export interface StructuralSchema {
  readonly type?: string;
  readonly properties?: Readonly<Record<string, StructuralSchema>>;
  readonly additionalProperties?: StructuralSchema | boolean;
  readonly items?: StructuralSchema;
}

/**
 * The paths of fields in `value` that `schema` does not declare. The API server prunes such
 * fields, or, under `x-kubernetes-preserve-unknown-fields` (the Trigger's `spec` and `delivery`),
 * keeps them without meaning: either way a misspelt field (`backofPolicy`) is silently ignored,
 * so the tests treat one as an error. Objects whose schema lists no properties are free-form
 * maps (filter attributes, labels) and are not inspected.
 *
 * @example
 * undeclaredFields(triggerSchema.properties.spec, trigger.spec, "spec") // ["spec.delivery.backofPolicy"]
 */
export function undeclaredFields(schema: StructuralSchema, value: unknown, path: string): string[] {
  if (Array.isArray(value)) {
    const items = schema.items;
    return items === undefined ? [] : value.flatMap((item, i) => undeclaredFields(items, item, `${path}[${i}]`));
  }
  if (value === null || typeof value !== "object") return [];
  const additional = typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined;
  const properties = schema.properties;
  return Object.entries(value).flatMap(([key, field]) => {
    const fieldSchema = properties?.[key] ?? additional;
    if (fieldSchema !== undefined) return undeclaredFields(fieldSchema, field, `${path}.${key}`);
    return properties === undefined ? [] : [`${path}.${key}`];
  });
}
