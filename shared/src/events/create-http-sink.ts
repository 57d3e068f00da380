import { cloudEventFromOutboxRow } from "./cloud-event-from-outbox-row.js";
import { cloudEventToHttp } from "./cloud-event-to-http.js";
import { connectErrorFromHttpSink } from "./connect-error-from-http-sink.js";
import type { EventSink, SinkOutcome } from "./event-sink.js";
import type { OutboxRow } from "./outbox-table.js";

export interface HttpSinkOptions {
  /** The sink (K_SINK): a Broker ingress, `http://<ingress>/<namespace>/<broker>`. Required. */
  url: string;
  /** Partition keys sent at once; each key's events go one at a time, in order. Default 8. */
  concurrency?: number;
  /** Time for one POST to be answered. Default 10000 ms. */
  timeoutMs?: number;
}

/**
 * Sends events as Knative's SinkBinding expects a workload to: one POST per event to the sink,
 * in CloudEvents binary content mode (`ce-*` headers, `content-type`, the data as the body),
 * with the event's trace context also as `traceparent`/`tracestate` headers so the ingress
 * continues the publishing call's trace. A 2xx acknowledges the event. Each partition key's
 * events are sent one after the other and a key stops at its first failure, so the broker
 * receives every key in outbox order; after any failure no new POST starts, and what was not
 * acknowledged waits in the outbox for the relay's next attempt.
 *
 * @example
 * startOutboxRelay({ sql, sink: createHttpSink({ url: config.K_SINK }), name: "identity", log });
 */
export function createHttpSink({ url, concurrency = 8, timeoutMs = 10_000 }: HttpSinkOptions): EventSink {
  const protocol = URL.canParse(url) ? new URL(url).protocol : "";
  if (protocol !== "http:" && protocol !== "https:") throw new TypeError(`the event sink must be an http:// or https:// URL, got "${url}"`);

  const post = async (row: OutboxRow) => {
    const { headers, body } = cloudEventToHttp(cloudEventFromOutboxRow(row));
    const trace = Object.fromEntries(["traceparent", "tracestate"].flatMap((h) => (row.extensions[h] === undefined ? [] : [[h, row.extensions[h]!]])));
    try {
      const response = await fetch(url, { method: "POST", headers: { ...headers, ...trace }, body, signal: AbortSignal.timeout(timeoutMs) });
      const text = await response.text(); // read to the end so the connection is reused
      return response.ok ? undefined : connectErrorFromHttpSink(url, { status: response.status, body: text });
    } catch (error) {
      return connectErrorFromHttpSink(url, { error });
    }
  };

  return {
    target: url,
    async send(rows) {
      const byKey = new Map<string, OutboxRow[]>();
      for (const row of rows) {
        const lane = byKey.get(row.partition_key);
        if (lane) lane.push(row);
        else byKey.set(row.partition_key, [row]);
      }
      const lanes = [...byKey.values()];
      const delivered: OutboxRow[] = [];
      let error: SinkOutcome["error"];
      const worker = async () => {
        for (let lane = lanes.shift(); lane !== undefined && error === undefined; lane = lanes.shift()) {
          for (const row of lane) {
            if (error !== undefined) return;
            const failure = await post(row);
            if (failure !== undefined) {
              error ??= failure;
              return;
            }
            delivered.push(row);
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(concurrency, lanes.length) }, worker));
      return { delivered, error };
    },
  };
}
