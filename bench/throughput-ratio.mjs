// The ratio of two throughput rows of one run, paired round by round when they were measured in rounds.

/** The median of `values` (the lower middle one of an even count, as the rounds' median run). */
function median(values) {
  return values.toSorted((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
}

/**
 * `a`'s rate over `b`'s, two throughput rows of one run. Measured in the same rounds (as many
 * `runsPerSecond` each), they are divided round by round, each pair minutes apart rather than
 * the whole run: `{ ratio }` is the median of those ratios, `min` and `max` their range.
 * Otherwise the ratio of their rates, with no range.
 */
export function throughputRatio(a, b) {
  const rounds = a.runsPerSecond?.length ?? 0;
  if (rounds > 1 && b.runsPerSecond?.length === rounds) {
    const ratios = a.runsPerSecond.map((rps, i) => rps / b.runsPerSecond[i]);
    return { ratio: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
  }
  return { ratio: a.requestsPerSecond / b.requestsPerSecond };
}
