// Types of options.mjs, for the TypeScript tests.

export interface BenchSettings {
  readonly help: boolean;
  readonly quick: boolean;
  readonly activatorColdRuns: number;
  readonly only: readonly string[];
  readonly coldStart: boolean;
  readonly chains: boolean;
  readonly events: boolean;
  readonly activator: boolean;
  readonly profile: boolean;
  readonly [setting: string]: unknown;
}

export const usage: string;
export function benchOptionsFromArgs(argv: readonly string[], env: Record<string, string | undefined>): BenchSettings;
export function isCompleteRun(settings: BenchSettings): boolean;
