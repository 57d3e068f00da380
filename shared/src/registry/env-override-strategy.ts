import type { RegistryStrategy } from "./registry.js";

/** `KINETIC_<NAME>_URL` for function `name` ("user-events" reads KINETIC_USER_EVENTS_URL). */
export function overrideVariableOf(fn: string): string {
  return `KINETIC_${fn.toUpperCase().replaceAll("-", "_")}_URL`;
}

/**
 * Explicit addresses from the environment, checked first: `KINETIC_IDENTITY_URL=http://…`
 * points every call to identity there, whatever else is configured.
 */
export function envOverrideStrategy(env: NodeJS.ProcessEnv = process.env): RegistryStrategy {
  return {
    name: "no KINETIC_<NAME>_URL override",
    resolve: async (fn) => env[overrideVariableOf(fn)] || undefined,
  };
}
