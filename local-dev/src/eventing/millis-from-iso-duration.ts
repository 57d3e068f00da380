const durationRule = /^P(?!$)(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?=\d)(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/**
 * Milliseconds of an ISO-8601 duration as Knative's delivery spec uses them ("PT0.2S", "PT1M",
 * "P1DT2H"), rounded to whole milliseconds. Years and months have no fixed length and are
 * rejected, as is anything else that is not such a duration, with a `TypeError`.
 *
 * @example
 * millisFromIsoDuration("PT0.2S") // 200
 */
export function millisFromIsoDuration(duration: string): number {
  const match = durationRule.exec(duration);
  if (match === null) throw new TypeError(`"${duration}" is not an ISO-8601 duration of weeks, days, hours, minutes and seconds such as "PT0.2S"`);
  const [weeks, days, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number];
  return Math.round(((((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000);
}
