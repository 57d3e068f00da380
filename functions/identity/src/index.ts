import { UserCreatedSchema, UserDeletedSchema, UserUpdatedSchema } from "@kinetic/contracts/kinetic/identity/v1/events_pb.js";
import { IdentityService } from "@kinetic/contracts/kinetic/identity/v1/identity_pb.js";
import { defineFunction, implement, integerVar } from "@kinetic/runtime";
import { createIdentityService } from "./identity-service.js";
import { createPasswordHasher } from "./password-hasher.js";

/** identity: users and their credentials. The only entry point of the function. */
export default defineFunction({
  name: "identity",
  description: "users and their credentials",
  services: [IdentityService],
  migrations: new URL("../migrations/", import.meta.url),
  publishes: [UserCreatedSchema, UserUpdatedSchema, UserDeletedSchema],
  env: {
    /** log2 of scrypt's cost N for new password hashes. Default 15 (OWASP). */
    IDENTITY_SCRYPT_LOG_N: integerVar(15, 10, 20),
    /** scrypt's parallelism p for new password hashes. Default 3 (OWASP, with N=2^15, r=8). */
    IDENTITY_SCRYPT_P: integerVar(3, 1, 16),
  },
  setup({ sql, events, env }) {
    const hasher = createPasswordHasher({ logN: env.IDENTITY_SCRYPT_LOG_N, p: env.IDENTITY_SCRYPT_P });
    return { services: [implement(IdentityService, createIdentityService(sql!, events!, hasher))] };
  },
});
