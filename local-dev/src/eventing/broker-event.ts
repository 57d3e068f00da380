/**
 * A CloudEvent as the local broker moves it, independent of the wire it came on: every context
 * attribute and extension by its lower-case name (`datacontenttype` included, since triggers can
 * filter on it), and the data's bytes. The binding functions map it to and from Kafka records
 * and HTTP messages in binary mode.
 */
export interface BrokerEvent {
  readonly attributes: Readonly<Record<string, string>>;
  readonly data: Buffer;
}

const attributeName = /^[a-z0-9]{1,64}$/;

/**
 * Checks what every CloudEvents 1.0 event must have, as Knative's dispatcher does before it
 * delivers anything: `specversion` "1.0", non-empty `id`, `source` and `type`, and attribute
 * names of lower-case letters and digits. Throws a `TypeError` naming the problem.
 *
 * @example
 * const event = brokerEventOf({ specversion: "1.0", id: "1", source: "/s", type: "t" }, Buffer.alloc(0));
 */
export function brokerEventOf(attributes: Readonly<Record<string, string>>, data: Buffer): BrokerEvent {
  if (attributes["specversion"] !== "1.0") throw new TypeError(`specversion must be "1.0", got ${JSON.stringify(attributes["specversion"])}`);
  for (const required of ["id", "source", "type"]) {
    if (!attributes[required]) throw new TypeError(`missing required attribute ${required}`);
  }
  const bad = Object.keys(attributes).find((name) => !attributeName.test(name));
  if (bad !== undefined) throw new TypeError(`attribute name "${bad}" is not lower-case letters and digits`);
  return { attributes, data };
}
