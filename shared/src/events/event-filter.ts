import type { CloudEvent } from "./cloud-event.js";

/**
 * One expression of a Knative Trigger's `filters` (the CloudEvents Subscriptions API dialects
 * Knative supports without CESQL): every attribute named must be present and equal to, start
 * with, or end with the given value, case-sensitively. A Trigger's expressions are ANDed.
 *
 * @example
 * const filters: EventFilter[] = [{ prefix: { subject: "user-" } }, { exact: { source: "/functions/identity" } }];
 */
export type EventFilter =
  | { readonly exact: Readonly<Record<string, string>> }
  | { readonly prefix: Readonly<Record<string, string>> }
  | { readonly suffix: Readonly<Record<string, string>> };

const dialects = ["exact", "prefix", "suffix"] as const;
const attributeName = /^[a-z0-9]{1,64}$/;

/**
 * Checks filters where they are declared, as Knative's webhook would reject the Trigger: one
 * dialect per expression, at least one attribute, lower-case alphanumeric attribute names, and
 * a non-empty value for prefix and suffix. Throws a `TypeError` naming the subscription.
 */
export function validateEventFilters(subscription: string, filters: readonly EventFilter[]): void {
  for (const filter of filters) {
    const keys = Object.keys(filter);
    const dialect = dialects.find((d) => d === keys[0]);
    if (keys.length !== 1 || dialect === undefined) {
      throw new TypeError(`subscription "${subscription}": a filter has exactly one of exact, prefix or suffix, got ${JSON.stringify(keys)}`);
    }
    const attributes = Object.entries((filter as Record<string, Record<string, unknown>>)[dialect] ?? {});
    if (attributes.length === 0) throw new TypeError(`subscription "${subscription}": ${dialect} filter names no attribute`);
    for (const [name, value] of attributes) {
      if (!attributeName.test(name)) {
        throw new TypeError(`subscription "${subscription}": filter attribute "${name}" is not a CloudEvents attribute name (a-z, 0-9)`);
      }
      if (typeof value !== "string" || (dialect !== "exact" && value === "")) {
        throw new TypeError(`subscription "${subscription}": ${dialect} filter on ${name} needs a non-empty string`);
      }
    }
  }
}

/** True when `event` passes every filter; an attribute the event lacks fails its filter. */
export function eventMatchesFilters(event: CloudEvent, filters: readonly EventFilter[]): boolean {
  return filters.every((filter) => {
    const [dialect, attributes] = Object.entries(filter)[0] as [(typeof dialects)[number], Record<string, string>];
    return Object.entries(attributes).every(([name, expected]) => {
      const actual = attributeOf(event, name);
      if (actual === undefined) return false;
      if (dialect === "exact") return actual === expected;
      return dialect === "prefix" ? actual.startsWith(expected) : actual.endsWith(expected);
    });
  });
}

/** Internal: a context attribute or extension by name, as its canonical string. */
function attributeOf(event: CloudEvent, name: string): string | undefined {
  switch (name) {
    case "specversion":
    case "id":
    case "source":
    case "type":
    case "subject":
    case "time":
    case "datacontenttype":
    case "dataschema":
      return event[name];
    default:
      return event.extensions[name];
  }
}
