const traceparentPattern = /^([\da-f]{2})-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}(-|$)/;

/**
 * The trace id of a W3C `traceparent` (`00-<trace id>-<parent id>-<flags>`), or "" when the
 * value is missing or invalid: an audit record keeps the event even when its trace is unusable.
 * Later versions may append fields, which are ignored as the spec asks.
 */
export function traceIdFromTraceparent(traceparent: string | undefined): string {
  const match = traceparentPattern.exec(traceparent ?? "");
  if (!match || match[1] === "ff" || /^0+$/.test(match[2]!)) return "";
  if (match[1] === "00" && match[3] === "-") return "";
  return match[2]!;
}
