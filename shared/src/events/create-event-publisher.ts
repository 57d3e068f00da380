import { randomUUID } from "node:crypto";
import { create, toBinary, toJsonString, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { context, propagation } from "@opentelemetry/api";
import type { TransactionSql } from "postgres";
import { inboundCall, trackInboundCalls } from "../client/inbound-call.js";
import { eventTypeOf } from "./event-type-of.js";
import { outboxChannel } from "./outbox-table.js";

/** How an event's data is encoded. */
export type EventEncoding = "json" | "binary";

export interface PublishOptions {
  /** What the event is about (a user id…); also the default partition key. Default none. */
  subject?: string;
  /** Kafka record key: events with one key stay in order. Default `subject`, else the event id. */
  partitionKey?: string;
  /** Data encoding. Default the publisher's (JSON, readable with standard tools). */
  encoding?: EventEncoding;
}

export interface EventPublisherOptions {
  /** The CloudEvents `source`, "/functions/<name>". Required. */
  source: string;
  /** Default data encoding. Default "json". */
  encoding?: EventEncoding;
  /** The events the function declared; publishing another is a programming error. Default any. */
  declared?: readonly DescMessage[];
}

/** Publishes events through the function's outbox. */
export interface EventPublisher {
  /**
   * Writes an event into the outbox inside `tx`, the transaction of the change it describes:
   * it is published if and only if `tx` commits. Returns the event id.
   */
  publish<T extends DescMessage>(tx: TransactionSql, schema: T, data: MessageInitShape<T>, options?: PublishOptions): Promise<string>;
}

/**
 * Creates the publisher. Each event carries the CloudEvents attributes, `partitionkey`, the
 * trace context of the publishing call (`traceparent`, `tracestate`) and `actor` (the subject
 * or calling function of the inbound call, when known).
 *
 * @example
 * await sql.begin(async (tx) => {
 *   const user = await users.insert(tx, row);
 *   await events.publish(tx, UserCreatedSchema, { user }, { subject: user.id });
 * });
 */
export function createEventPublisher({ source, encoding = "json", declared }: EventPublisherOptions): EventPublisher {
  // Events name the subject or caller of the call they are published in.
  trackInboundCalls();
  return {
    async publish(tx, schema, init, options = {}) {
      if (declared && !declared.some((d) => d.typeName === schema.typeName)) {
        throw new TypeError(`${schema.typeName} is not among the events this function declares it publishes`);
      }
      const type = eventTypeOf(schema);
      const message = create(schema, init);
      const binary = (options.encoding ?? encoding) === "binary";
      const data = binary ? toBinary(schema, message) : new TextEncoder().encode(toJsonString(schema, message));
      const id = randomUUID();
      const extensions: Record<string, string> = {};
      propagation.inject(context.active(), extensions);
      const call = inboundCall();
      const actor = call?.subject ?? call?.caller;
      if (actor !== undefined) extensions["actor"] = actor;
      await tx`
        insert into kinetic_outbox (id, type, source, subject, partition_key, time, content_type, data, extensions)
        values (${id}, ${type}, ${source}, ${options.subject ?? null}, ${options.partitionKey ?? options.subject ?? id},
                now(), ${binary ? "application/protobuf" : "application/json"}, ${Buffer.from(data)}, ${tx.json(extensions)})`;
      await tx`select pg_notify(${outboxChannel}, '')`;
      return id;
    },
  };
}
