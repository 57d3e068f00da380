// One clock for every process of the events benchmark. performance.now() counts from each
// process's own start; CLOCK_MONOTONIC (process.hrtime) is the machine's, so a time taken in
// the publisher and one taken in the subscriber subtract to a latency.

/** Milliseconds on the machine's monotonic clock, comparable across processes on this machine. */
export function monotonicMs() {
  return Number(process.hrtime.bigint()) / 1e6;
}
