import type { DescMessage } from "@bufbuild/protobuf";
import { LoggedOutSchema, LoginFailedSchema, LoginSucceededSchema, RefreshTokenReuseDetectedSchema } from "@kinetic/contracts/kinetic/auth/v1/events_pb.js";
import { UserCreatedSchema, UserDeletedSchema, UserUpdatedSchema } from "@kinetic/contracts/kinetic/identity/v1/events_pb.js";

/**
 * Every platform event, each becoming one subscription (one Knative Trigger) of audit. A new
 * event type is audited by adding its message here.
 */
export const auditedEvents: readonly DescMessage[] = [
  UserCreatedSchema,
  UserUpdatedSchema,
  UserDeletedSchema,
  LoginSucceededSchema,
  LoginFailedSchema,
  LoggedOutSchema,
  RefreshTokenReuseDetectedSchema,
];
