// The ratio of two throughput rows of one run, paired round by round when they were measured in rounds.
import { summarize } from "./stats.mjs";

/**
 * `a`'s rate over `b`'s, two throughput rows of one run. Measured in the same rounds (as many
 * `roundsPerSecond` each), they are divided round by round, each pair minutes apart rather than
 * the whole run: `{ ratio }` is the median of those ratios, `min` and `max` their range.
 * Otherwise the ratio of their rates, with no range.
 */
export function throughputRatio(a, b) {
  const rounds = a.roundsPerSecond?.length ?? 0;
  if (rounds > 1 && b.roundsPerSecond?.length === rounds) {
    const { median, min, max } = summarize(a.roundsPerSecond.map((rps, i) => rps / b.roundsPerSecond[i]));
    return { ratio: median, min, max };
  }
  return { ratio: a.requestsPerSecond / b.requestsPerSecond };
}
