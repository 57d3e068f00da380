import { isIP } from "node:net";

/**
 * The client's address from `x-forwarded-for`, or undefined when there is none that parses as
 * an IP address. The header is only as trustworthy as the proxies that write it: with
 * `trustedHops` 0 the leftmost entry is taken, which assumes the gateway replaces any
 * `x-forwarded-for` a client sent; with N proxies that each append the address they saw, the
 * entry N places from the right is the client as the outermost trusted proxy saw it. The
 * Connect handler context carries no socket address, so there is no other source.
 *
 * @example
 * clientAddressFromHeaders(new Headers({ "x-forwarded-for": "203.0.113.7, 10.0.0.2" }), 0); // "203.0.113.7"
 */
export function clientAddressFromHeaders(headers: Headers, trustedHops: number): string | undefined {
  const entries = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  const entry = trustedHops === 0 ? entries[0] : entries[entries.length - trustedHops];
  if (entry === undefined) return undefined;
  return isIP(entry) === 0 ? undefined : entry.toLowerCase();
}
