// Types of activator-cases.mjs, for the TypeScript tests.

export interface ColdTarget {
  readonly id: string;
  readonly fn: string;
  readonly module: string;
  readonly label: string;
  readonly path: string;
}
export interface LoadProtocol {
  readonly id: string;
  readonly protocol: string;
  readonly label: string;
}
export interface LoadTarget {
  readonly id: string;
  readonly label: string;
}

export const echoModule: string;
export const echoPath: string;
export const coldTargets: readonly ColdTarget[];
export const loadProtocols: readonly LoadProtocol[];
export const loadTargets: readonly LoadTarget[];
export function activatorParts(only: readonly string[]): { cold: ColdTarget[]; load: LoadProtocol[]; memory: boolean };
export function coldRow(target: ColdTarget, path: "activator" | "direct", fields: Record<string, unknown>): Record<string, unknown>;
export function loadRow(p: LoadProtocol, target: LoadTarget, tool: string, fields: Record<string, unknown>): Record<string, unknown>;
