// Order statistics over plain arrays of numbers.

/** The `p`-th percentile (0-100) by nearest rank; NaN for an empty list. */
export function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Median, min and max of `values`. */
export function summarize(values) {
  return { median: percentile(values, 50), min: Math.min(...values), max: Math.max(...values) };
}
