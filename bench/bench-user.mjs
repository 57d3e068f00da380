// The payload both paths of the events benchmark publish: a UserCreated event like identity's
// (kinetic.identity.v1.UserCreated), about 200 bytes of JSON, keyed by the user id.
import { randomUUID } from "node:crypto";

/** User number `index` with a fresh id, created now. */
export function benchUser(index) {
  const number = String(index).padStart(8, "0");
  return { id: randomUUID(), email: `bench-${number}@example.com`, displayName: `Bench user ${number}`, createTime: new Date() };
}
