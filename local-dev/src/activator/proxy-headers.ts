import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";

/** Headers about one connection, never forwarded (RFC 9110 §7.6.1), plus HTTP/2's connection-specific ones. */
const hopByHop = new Set(["connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "transfer-encoding", "upgrade", "http2-settings"]);

function droppedBy(headers: IncomingHttpHeaders): Set<string> {
  const dropped = new Set(hopByHop);
  const connection = headers["connection"];
  if (typeof connection === "string") for (const name of connection.split(",")) dropped.add(name.trim().toLowerCase());
  return dropped;
}

/** `for=` of a Forwarded element: IPv6 addresses are quoted and bracketed (RFC 7239 §6). */
function forwardedNode(address: string): string {
  return address.includes(":") ? `"[${address}]"` : address;
}

/**
 * The headers an instance gets for a request: the client's without hop-by-hop ones (gRPC's
 * `te: trailers` stays on HTTP/2, where it is end-to-end), with the client's address appended
 * to `x-forwarded-for` and `forwarded`, as Knative's activator and queue-proxy do. HTTP/2
 * pseudo-headers pass through except `:scheme`, which the connection to the instance sets.
 */
export function requestHeadersForInstance(incoming: IncomingHttpHeaders, remoteAddress: string | undefined, http2: boolean): OutgoingHttpHeaders {
  const dropped = droppedBy(incoming);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || name === ":scheme") continue;
    if (name === "te" && http2 && value === "trailers") out[name] = value;
    else if (!dropped.has(name)) out[name] = value;
  }
  if (http2 && out[":authority"] !== undefined) delete out["host"];
  if (remoteAddress !== undefined) {
    const xff = incoming["x-forwarded-for"];
    out["x-forwarded-for"] = xff ? `${String(xff)}, ${remoteAddress}` : remoteAddress;
    const host = incoming[":authority"] ?? incoming.host;
    const element = `for=${forwardedNode(remoteAddress)}${host ? `;host="${String(host)}"` : ""};proto=http`;
    out["forwarded"] = incoming.forwarded ? `${incoming.forwarded}, ${element}` : element;
  }
  return out;
}

/** The headers (or trailers) a client gets from an instance's response, without hop-by-hop ones or pseudo-headers. */
export function responseHeadersForClient(upstream: IncomingHttpHeaders): OutgoingHttpHeaders {
  const dropped = droppedBy(upstream);
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(upstream)) {
    if (value !== undefined && !name.startsWith(":") && !dropped.has(name)) out[name] = value;
  }
  return out;
}
