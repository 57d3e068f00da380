import type { FilterExpression } from "./dispatcher-trigger.js";

const dialects = ["exact", "prefix", "suffix", "all", "any", "not", "cesql"] as const;

/**
 * Whether an event's attributes pass a Trigger's `filters`, with Knative's semantics: the
 * expressions are ANDed (none passes everything); `exact`, `prefix` and `suffix` compare every
 * attribute they name, case-sensitively, and an attribute the event lacks fails; `all`, `any`
 * and `not` combine nested expressions. Call `validateTriggerFilters` first.
 *
 * @example
 * triggerFiltersMatch([{ exact: { type: "t" } }, { prefix: { subject: "user-" } }], event.attributes)
 */
export function triggerFiltersMatch(filters: readonly FilterExpression[], attributes: Readonly<Record<string, string>>): boolean {
  return filters.every((filter) => expressionMatches(filter, attributes));
}

/**
 * Rejects what the dispatcher cannot evaluate, as a `TypeError` naming the trigger: an
 * expression with other than one dialect, an empty `all`/`any`, empty attribute names or
 * prefix/suffix values, and CESQL (not emulated locally).
 */
export function validateTriggerFilters(trigger: string, filters: readonly FilterExpression[]): void {
  for (const filter of filters) {
    const keys = Object.keys(filter).filter((k) => filter[k as keyof FilterExpression] !== undefined);
    const dialect = dialects.find((d) => d === keys[0]);
    if (keys.length !== 1 || dialect === undefined) throw new TypeError(`trigger ${trigger}: a filter needs exactly one dialect, got ${JSON.stringify(keys)}`);
    if (dialect === "cesql") throw new TypeError(`trigger ${trigger}: CESQL filters are not supported by the local dispatcher`);
    if (dialect === "not") validateTriggerFilters(trigger, [filter.not!]);
    else if (dialect === "all" || dialect === "any") {
      if (filter[dialect]!.length === 0) throw new TypeError(`trigger ${trigger}: ${dialect} needs at least one expression`);
      validateTriggerFilters(trigger, filter[dialect]!);
    } else {
      for (const [name, value] of Object.entries(filter[dialect]!)) {
        if (name === "" || (dialect !== "exact" && value === "")) throw new TypeError(`trigger ${trigger}: ${dialect} filter needs non-empty names and values`);
      }
    }
  }
}

/** Internal: one expression. */
function expressionMatches(filter: FilterExpression, attributes: Readonly<Record<string, string>>): boolean {
  if (filter.all) return filter.all.every((f) => expressionMatches(f, attributes));
  if (filter.any) return filter.any.some((f) => expressionMatches(f, attributes));
  if (filter.not) return !expressionMatches(filter.not, attributes);
  const compare = (pairs: Readonly<Record<string, string>>, test: (actual: string, expected: string) => boolean) =>
    Object.entries(pairs).every(([name, expected]) => {
      const actual = attributes[name];
      return actual !== undefined && test(actual, expected);
    });
  if (filter.exact) return compare(filter.exact, (a, e) => a === e);
  if (filter.prefix) return compare(filter.prefix, (a, e) => a.startsWith(e));
  if (filter.suffix) return compare(filter.suffix, (a, e) => a.endsWith(e));
  return false;
}
