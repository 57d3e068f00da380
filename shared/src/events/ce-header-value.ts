const encoder = new TextEncoder();

/**
 * Encodes an attribute value for a `ce-*` header as the CloudEvents HTTP binding says: space,
 * `"`, `%` and every character outside printable ASCII become `%XX` of their UTF-8 bytes.
 *
 * @internal
 */
export function encodeHeaderValue(value: string): string {
  let out = "";
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (code >= 0x21 && code <= 0x7e && char !== '"' && char !== "%") {
      out += char;
      continue;
    }
    for (const byte of encoder.encode(char)) out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/**
 * Decodes a `ce-*` header value: undoes RFC 7230 quoting (older senders), then one round of
 * percent-decoding. Returns undefined when a `%` sequence is malformed or not valid UTF-8
 * (overlong forms included), which the binding says must be rejected.
 *
 * @internal
 */
export function decodeHeaderValue(raw: string): string | undefined {
  let value = raw.trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    value = value.slice(1, -1).replace(/\\(.)/g, "$1");
  }
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}
