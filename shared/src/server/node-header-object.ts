/** A header object as node's `writeHead`, `addTrailers`, `respond` and `sendTrailers` take it. */
export type NodeHeaderObject = Record<string, string | string[]>;

/**
 * Internal: the constructor of the objects `nodeHeaderObject` makes. Its prototype is empty and
 * has no prototype itself, so that no header name (`__proto__`, `constructor`) finds anything
 * inherited.
 */
const EmptyHeaders = function EmptyHeaders() {} as unknown as new () => NodeHeaderObject;
EmptyHeaders.prototype = Object.freeze(Object.create(null) as object);

/**
 * An empty header object that inherits nothing, as `Object.create(null)` is, but made by a
 * constructor: `Object.create(null)` gives an object in V8's dictionary mode, which node's
 * http2 then copies (`respond`, `sendTrailers`) at about twice the cost of an ordinary object.
 *
 * @example
 * const out = nodeHeaderObject();
 * out["content-type"] = "application/grpc";
 */
export function nodeHeaderObject(): NodeHeaderObject {
  return new EmptyHeaders();
}
