// Types of summarize-deliveries.mjs, for the TypeScript tests.
import type { PublishRecord } from "./publish-loop.mjs";

export interface LatencyPercentiles {
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

export interface DeliverySummary extends LatencyPercentiles {
  readonly published: number;
  readonly errors: number;
  readonly firstError: string | undefined;
  readonly handled: number;
  readonly lost: number;
  readonly duplicates: number;
  readonly eventsPerSecond: number;
  readonly publishedPerSecond: number;
  readonly lagP50Ms: number;
  readonly lagMaxMs: number;
  readonly deliveries: readonly (PublishRecord & { readonly handledMs: number })[];
}

export function latencyPercentiles(values: readonly number[]): LatencyPercentiles;

export function summarizeDeliveries(options: {
  readonly published: readonly PublishRecord[];
  readonly handled: readonly (readonly [string, number])[];
  readonly warmup?: number;
}): DeliverySummary;
