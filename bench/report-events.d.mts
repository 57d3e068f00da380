// Types of report-events.mjs, for the TypeScript tests.

/** One row of the events measurement (see run-events.mjs for every field). */
export interface EventRow {
  readonly id: string;
  readonly path: string;
  readonly label: string;
  readonly shape: "burst" | "rate";
  readonly status: "ok" | "unavailable";
  readonly reason?: string;
  [field: string]: unknown;
}

export function addEventRatios(rows: EventRow[]): void;
export function eventsTable(rows: readonly EventRow[]): string;
