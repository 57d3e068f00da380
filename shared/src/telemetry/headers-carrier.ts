import type { TextMapGetter, TextMapSetter } from "@opentelemetry/api";

/**
 * Lets a propagator read and write a Fetch API `Headers`, which is what Connect interceptors
 * see on both sides. `Headers.get` joins repeated headers with ", ", so a request carrying two
 * `traceparent` headers reads as malformed and is ignored, as W3C Trace Context requires.
 */
export const headersCarrier: TextMapGetter<Headers> & TextMapSetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
  set: (headers, key, value) => headers.set(key, value),
};
