/**
 * A CloudEvent (spec 1.0) as the runtime moves it: context attributes plus the data's bytes,
 * independent of how it travelled (HTTP binary or structured mode, a Kafka record's `ce_`
 * headers). Attribute names are the spec's, lower case.
 */
export interface CloudEvent {
  readonly specversion: "1.0";
  /** Unique per source; (source, id) identifies the event for deduplication. */
  readonly id: string;
  /** URI-reference of the producer, such as "/functions/identity". */
  readonly source: string;
  /** Such as "kinetic.identity.user.created.v1". */
  readonly type: string;
  /** The entity the event is about, such as a user id. */
  readonly subject?: string | undefined;
  /** RFC 3339 time of the occurrence. */
  readonly time?: string | undefined;
  /** Media type of `data`: "application/json" (default) or "application/protobuf". */
  readonly datacontenttype?: string | undefined;
  readonly dataschema?: string | undefined;
  /** The data, encoded as `datacontenttype` says. */
  readonly data: Uint8Array;
  /**
   * Extension attributes: `partitionkey` (Kafka record key), `traceparent`/`tracestate`
   * (distributed tracing extension), Knative's `knativeerrordest`, `knativeerrorcode`,
   * `knativeerrordata` on dead letters…
   */
  readonly extensions: Readonly<Record<string, string>>;
}

/** The context attributes every CloudEvent has; the rest are optional or extensions. */
export const requiredAttributes = ["specversion", "id", "source", "type"] as const;

/** The optional attributes the spec defines; any other attribute is an extension. */
export const optionalAttributes = ["subject", "time", "datacontenttype", "dataschema"] as const;
