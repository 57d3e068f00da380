import { appendNodeHeader, FastHeaders } from "./fast-headers.js";
import { nodeHeaderObject } from "./node-header-object.js";

/**
 * connect-node's `webHeaderToNodeHeaders`: a `Headers` as the object `writeHead` and
 * `addTrailers` take, repeated names (set-cookie) as lists. A `FastHeaders` is read directly.
 *
 * @example
 * res.writeHead(200, nodeHeadersOf(responseHeader));
 */
export function nodeHeadersOf(header: Headers): Record<string, string | string[]> {
  if (header instanceof FastHeaders) return header.toNodeHeaders();
  const out = nodeHeaderObject();
  header.forEach((value, key) => appendNodeHeader(out, key, value));
  return out;
}
