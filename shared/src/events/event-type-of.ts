import { getOption, hasOption, type DescMessage } from "@bufbuild/protobuf";
import { event } from "@kinetic/contracts/kinetic/events/v1/event_options_pb.js";

/**
 * The CloudEvents `type` a proto message declares with `option (kinetic.events.v1.event).type`;
 * a message without it is not an event, and using it as one is a programming error.
 *
 * @example
 * eventTypeOf(UserCreatedSchema) // "kinetic.identity.user.created.v1"
 */
export function eventTypeOf(schema: DescMessage): string {
  const type = hasOption(schema, event) ? getOption(schema, event).type : "";
  if (type === "") {
    throw new TypeError(`${schema.typeName} is not an event: add option (kinetic.events.v1.event).type to the message`);
  }
  return type;
}
