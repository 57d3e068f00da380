/** A change of the platform's state, for the console: one line each when it is no terminal. */
export type ActivatorEvent =
  | { readonly type: "starting"; readonly fn: string; readonly instance: number; readonly pid: number }
  | {
      readonly type: "scaled";
      readonly fn: string;
      /** Ready instances before and after. */
      readonly from: number;
      readonly to: number;
      /** Why, as the console shows it: "cold start 1234 ms", "idle 30 s", "instance 1, pid 4242, died: SIGKILL". */
      readonly reason: string;
      /** Spawn to ready of the instance that just became ready. */
      readonly coldStartMs?: number;
    }
  | { readonly type: "start-failed"; readonly fn: string; readonly instance: number; readonly message: string };

/** The event as one line: `identity scaled 0 → 1 (cold start 1234 ms)`. */
export function describeActivatorEvent(event: ActivatorEvent): string {
  switch (event.type) {
    case "starting":
      return `${event.fn} starting instance ${event.instance} (pid ${event.pid})`;
    case "scaled":
      return `${event.fn} scaled ${event.from} → ${event.to} (${event.reason})`;
    case "start-failed":
      return `${event.fn} instance ${event.instance} failed to start: ${event.message}`;
  }
}
