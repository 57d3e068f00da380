import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { KineticFunction } from "@kinetic/runtime";

/** What the activator knows of a function: its declaration's name, services and scaling. */
export interface ActivatorFunction {
  /** The Knative Service's name. */
  readonly name: string;
  readonly description: string;
  /** Its module relative to the repository root, the argument each instance's `kinetic-serve` gets. */
  readonly module: string;
  /** Full names of the proto services it declares; RPC paths on the entry port route by them. */
  readonly services: readonly string[];
  /** Knative autoscaling, with the declaration's defaults filled in. */
  readonly scaling: KineticFunction["scaling"];
  /** Whether it declares migrations, so it needs a database. */
  readonly database: boolean;
  /** Variables of its instances only (its DATABASE_URL), over the activator's `env`. Default none. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Reads a function's declaration by importing its module in this process (the emulator runs
 * from TypeScript sources too), so routing and scaling come from the one source of truth.
 * Nothing of the function runs here: `setup` is only called in its instances.
 *
 * @example
 * const identity = await loadActivatorFunction(root, "functions/identity/src/index.ts");
 */
export async function loadActivatorFunction(root: string, module: string): Promise<ActivatorFunction> {
  const loaded = (await import(pathToFileURL(resolve(root, module)).href)) as { default?: KineticFunction };
  const fn = loaded.default;
  if (fn?.setup === undefined || typeof fn.name !== "string") {
    throw new TypeError(`${module} has no default export made with defineFunction()`);
  }
  return {
    name: fn.name,
    description: fn.description,
    module,
    services: fn.services.map((s) => s.typeName),
    scaling: fn.scaling,
    database: fn.migrations !== undefined,
  };
}
