#!/usr/bin/env node
// Open-loop load at a fixed rate: request i is due at start + i/rate whatever became of the
// earlier ones, and its latency runs from that due time, not from when it left, so a stalled
// server cannot slow the load down and hide its own stall (no coordinated omission). Connect
// unary over one HTTP/2 connection with prior knowledge, on raw node:http2: cheaper per
// request than a Connect client, so the generator is not what limits the chain.
//
// `node bench/fixed-rate.mjs '<json>'` with { url, path, contentType, bodyBase64, rate,
// warmupSeconds, durationSeconds, expectBase64? }; prints one JSON line of results. The
// harness runs it pinned to the load core (load-fixed-rate.mjs).
import { connect } from "node:http2";
import { percentile } from "./stats.mjs";

/** How long answers may keep coming after the last request left before they count as lost. */
const drainMs = 10_000;
/** A backlog of this many seconds of requests means the chain cannot keep up: stop early. */
const saturatedAfterSeconds = 1;

const spec = JSON.parse(process.argv[2] ?? "{}");
const body = Buffer.from(spec.bodyBase64, "base64");
const expected = spec.expectBase64 === undefined ? undefined : Buffer.from(spec.expectBase64, "base64");
const intervalMs = 1000 / spec.rate;
const warmupCount = Math.round(spec.warmupSeconds * spec.rate);
const total = warmupCount + Math.round(spec.durationSeconds * spec.rate);
const headers = { ":method": "POST", ":path": spec.path, "content-type": spec.contentType, "connect-protocol-version": "1" };

// Measured requests only (index >= warmupCount): latency from the due time, and how late the
// generator itself sent them (its own lag, which the latency includes).
const latencyMs = new Float64Array(total - warmupCount).fill(NaN);
const lagMs = new Float64Array(total - warmupCount);
let errors = 0;
let firstError;
let outstanding = 0;
let answeredTotal = 0;

const session = connect(spec.url);
session.on("error", (error) => (firstError ??= `connection: ${error.message}`));
await new Promise((resolve, reject) => {
  session.once("connect", resolve);
  session.once("error", reject);
});

function fail(index, reason) {
  if (index >= warmupCount) errors++;
  firstError ??= reason;
}

/** Sends request `index`, due at `dueMs`. */
function send(index, dueMs) {
  const measured = index - warmupCount;
  if (measured >= 0) lagMs[measured] = performance.now() - dueMs;
  outstanding++;
  const stream = session.request(headers);
  let status = 0;
  let streamError;
  const chunks = [];
  stream.on("response", (h) => (status = h[":status"]));
  stream.on("data", (chunk) => chunks.push(chunk));
  stream.on("error", (error) => (streamError = error));
  stream.on("close", () => {
    outstanding--;
    const answer = Buffer.concat(chunks);
    if (streamError !== undefined) fail(index, streamError.message);
    else if (status !== 200) fail(index, `HTTP ${status}: ${answer.toString("utf8", 0, 200)}`);
    else if (expected !== undefined && !answer.equals(expected)) fail(index, "unexpected response body");
    else {
      answeredTotal++;
      if (measured >= 0) latencyMs[measured] = performance.now() - dueMs;
    }
  });
  stream.end(body);
}

// Timers fire late by up to about a millisecond; each wake-up sends every request now due.
const startMs = performance.now() + 10;
let next = 0;
let saturated = false;
await new Promise((resolve) => {
  const tick = () => {
    const now = performance.now();
    for (; next < total && startMs + next * intervalMs <= now; next++) send(next, startMs + next * intervalMs);
    saturated = outstanding > spec.rate * saturatedAfterSeconds;
    if (next === total || saturated) return resolve();
    setTimeout(tick, Math.max(0, startMs + next * intervalMs - performance.now()));
  };
  setTimeout(tick, 10);
});
const endMs = performance.now();
if (!saturated) {
  for (const deadline = endMs + drainMs; outstanding > 0 && performance.now() < deadline; ) await new Promise((r) => setTimeout(r, 5));
}
session.destroy();

const sent = Math.max(0, next - warmupCount);
const answered = [...latencyMs.subarray(0, sent)].filter((v) => !Number.isNaN(v));
const lags = [...lagMs.subarray(0, sent)];
const lost = saturated ? 0 : sent - answered.length - errors;
const result = {
  saturated,
  requests: sent,
  answered: answered.length,
  answeredTotal,
  errors: errors + lost,
  firstError: firstError ?? (lost > 0 ? `${lost} requests unanswered ${drainMs} ms after the last one left` : undefined),
  // Saturated: what the chain managed, over the whole run until it fell a second behind.
  answeredPerSecond: saturated ? answeredTotal / ((endMs - startMs) / 1000) : answered.length / spec.durationSeconds,
  p50Ms: percentile(answered, 50),
  p90Ms: percentile(answered, 90),
  p99Ms: percentile(answered, 99),
  maxMs: percentile(answered, 100),
  lagP50Ms: percentile(lags, 50),
  lagMaxMs: percentile(lags, 100),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
