// The runtime's performance goals, each the ratio of two rows of one run: the table that says
// whether a run meets them, so that nobody has to work them out from the other tables.
import { ratio, table } from "./markdown.mjs";
import { throughputRatio } from "./throughput-ratio.mjs";

/**
 * The goals: `of` ÷ `over`, two row ids of the same run (throughput rows, or cold-start rows
 * when `coldStart`), against `atLeast` or `atMost`.
 */
export const goals = [
  { id: "P1", label: "Connect JSON over HTTP/1.1, Kinetic ÷ raw node:http", of: "kinetic:http1-json", over: "raw-http:http1-json", atLeast: 0.5 },
  { id: "P2", label: "gRPC over h2c, Kinetic ÷ @grpc/grpc-js", of: "kinetic:h2c-grpc", over: "grpc-js:h2c-grpc", atLeast: 1 },
  { id: "P3", label: "cold start with tracing, Kinetic's bundle ÷ bare node:http", of: "kinetic-traced:cold-start", over: "raw-http:cold-start", atMost: 2.5, coldStart: true },
  { id: "binary", label: "Connect binary ÷ Connect JSON, Kinetic over HTTP/1.1", of: "kinetic:http1-proto", over: "kinetic:http1-json", atLeast: 1 },
];

/**
 * Each goal's result in `report`: `{ goal, ratio, min, max, met }` (`min`/`max` when the rows
 * were measured in rounds), or `{ goal, missing }` naming the row the run did not measure.
 */
export function goalResults(report) {
  return goals.map((goal) => {
    const rows = goal.coldStart ? report.coldStart : report.throughput;
    const find = (id) => rows.find((r) => r.id === id && r.status === "ok");
    const [of, over] = [find(goal.of), find(goal.over)];
    if (of === undefined || over === undefined) return { goal, missing: of === undefined ? goal.of : goal.over };
    const r = goal.coldStart ? { ratio: of.startMs.median / over.startMs.median } : throughputRatio(of, over);
    const met = goal.atLeast !== undefined ? r.ratio >= goal.atLeast : r.ratio <= goal.atMost;
    return { goal, ...r, met };
  });
}

/** The goals as a markdown section; nothing when the run measured none of them. */
export function goalSections(report) {
  const results = goalResults(report);
  if (results.every((r) => r.missing)) return [];
  const rows = results.map((r) => {
    const target = r.goal.atLeast !== undefined ? `≥ ${ratio(r.goal.atLeast)}` : `≤ ${ratio(r.goal.atMost)}`;
    if (r.missing) return [r.goal.id, r.goal.label, target, "not measured", ""];
    const range = r.min === undefined ? "" : ` (${ratio(r.min)}–${ratio(r.max)})`;
    return [r.goal.id, r.goal.label, target, ratio(r.ratio) + range, r.met ? "met" : "**not met**"];
  });
  return ["", "### Goals", "", table(["Goal", "Ratio", "Target", "This run", "Verdict"], rows, 2)];
}
