// Types of report-activator.mjs, for the TypeScript tests.

export interface Spread {
  readonly median: number;
  readonly p99: number;
  readonly min: number;
  readonly max: number;
}

/** A row of the emulator measurement (see run-activator.mjs for every field). */
export interface ActivatorRow {
  readonly id: string;
  readonly status: "ok" | "unavailable";
  readonly reason?: string;
  [field: string]: unknown;
}

export interface ActivatorResults {
  readonly cold: ActivatorRow[];
  readonly load: ActivatorRow[];
  readonly memory?: ActivatorRow | undefined;
  readonly notes?: Record<string, unknown>;
  readonly command?: string;
}

export function spread(values: readonly number[]): Spread;
export function summarizeColdStarts(
  runs: readonly { firstByteMs: number; readyMs?: number; otherCores: number; stealPercent: number }[],
): { runs: number; firstByteMs: Spread; readyMs?: Spread; otherCores: number; stealPercent: number };
export function medianRound<R extends { requestsPerSecond: number }>(runs: readonly R[]): R & { roundsPerSecond: number[] };
export function addActivatorComparisons(results: { cold?: ActivatorRow[]; load?: ActivatorRow[] }): void;
export function coldTable(rows: readonly ActivatorRow[]): string;
export function loadTable(rows: readonly ActivatorRow[]): string;
export function memoryTable(memory: ActivatorRow): string;
export function activatorSections(report: { activator?: ActivatorResults; settings: Record<string, unknown>; environment: Record<string, unknown>; date: string }): string[];
