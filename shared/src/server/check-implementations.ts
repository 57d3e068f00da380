import type { KineticFunction, ServiceImplementation } from "../function/define-function.js";

/**
 * Fails start-up when `setup` implemented a different set of services than the declaration
 * lists: the declaration is what callers, manifests and the registry trust.
 */
export function checkImplementations(fn: KineticFunction, implementations: readonly ServiceImplementation[]): void {
  const declared = new Set(fn.services.map((s) => s.typeName));
  const implemented = new Set(implementations.map((i) => i.service.typeName));
  const missing = [...declared].filter((n) => !implemented.has(n));
  const extra = [...implemented].filter((n) => !declared.has(n));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [
      missing.length > 0 ? `not implemented: ${missing.join(", ")}` : "",
      extra.length > 0 ? `implemented but not declared: ${extra.join(", ")}` : "",
    ].filter(Boolean);
    throw new TypeError(`function "${fn.name}": setup() must implement exactly the declared services (${parts.join("; ")})`);
  }
  for (const { service, implementation } of implementations) {
    const missingMethods = service.methods.filter((m) => typeof (implementation as Record<string, unknown>)[m.localName] !== "function");
    if (missingMethods.length > 0) {
      throw new TypeError(`function "${fn.name}": ${service.typeName} is missing ${missingMethods.map((m) => m.localName).join(", ")}`);
    }
  }
}
