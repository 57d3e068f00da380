import type { ServiceImpl } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import { UserCreatedSchema, UserDeletedSchema, UserUpdatedSchema } from "@kinetic/contracts/kinetic/identity/v1/events_pb.js";
import { IdentityService, type User } from "@kinetic/contracts/kinetic/identity/v1/identity_pb.js";
import { connectErrorFromPostgres, type EventPublisher } from "@kinetic/runtime";
import type { Sql } from "postgres";
import { idFromPageToken, pageTokenFromId } from "./page-token.js";
import type { PasswordHasher } from "./password-hasher.js";
import { createUserStore } from "./user-store.js";
import { uuidV7 } from "./uuid-v7.js";

const defaultPageSize = 50;
const mutablePaths = ["email", "display_name"] as const;
const uuidPattern = /^[\da-f]{8}-[\da-f]{4}-[\da-f]{4}-[\da-f]{4}-[\da-f]{12}$/i;

/** Emails are compared and stored trimmed and in lower case. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Maps the store's errors, turning the email uniqueness violation into a clear `already_exists`. */
function storeError(err: unknown, email: string | undefined): ConnectError {
  const mapped = connectErrorFromPostgres(err);
  if (mapped.code === Code.AlreadyExists && email !== undefined) {
    return new ConnectError(`a user with email "${email}" already exists`, Code.AlreadyExists, undefined, undefined, err);
  }
  return mapped;
}

function notFound(id: string): ConnectError {
  return new ConnectError(`user "${id}" not found`, Code.NotFound);
}

/**
 * The IdentityService handlers. Every change and the event describing it are written in one
 * transaction: the event is published if and only if the change commits.
 */
export function createIdentityService(sql: Sql, events: EventPublisher, hasher: PasswordHasher): ServiceImpl<typeof IdentityService> {
  const users = createUserStore(sql);
  return {
    async createUser(req) {
      const email = normaliseEmail(req.email);
      const passwordHash = await hasher.hash(req.password);
      const user = await sql
        .begin(async (tx) => {
          const created = await createUserStore(tx).insert({ id: uuidV7(), email, displayName: req.displayName.trim(), passwordHash });
          await events.publish(tx, UserCreatedSchema, { user: created }, { subject: created.id });
          return created;
        })
        .catch((err: unknown) => Promise.reject(storeError(err, email)));
      return { user };
    },
    async getUser(req) {
      const user = await users.get(req.id);
      if (!user) throw notFound(req.id);
      return { user };
    },
    async listUsers(req) {
      const pageSize = req.pageSize || defaultPageSize;
      const after = req.pageToken === "" ? undefined : idFromPageToken(req.pageToken);
      const page = await users.list(after, pageSize + 1);
      const more = page.length > pageSize;
      const usersOfPage = page.slice(0, pageSize);
      return { users: usersOfPage, nextPageToken: more ? pageTokenFromId(usersOfPage.at(-1)!.id) : "" };
    },
    async updateUser(req) {
      const input = req.user!;
      if (!uuidPattern.test(input.id)) {
        throw new ConnectError(`user.id must be a UUID, got "${input.id}"`, Code.InvalidArgument);
      }
      const paths = req.updateMask?.paths.length ? req.updateMask.paths : [...mutablePaths];
      const unknown = paths.filter((p) => !(mutablePaths as readonly string[]).includes(p));
      if (unknown.length > 0) {
        throw new ConnectError(`update_mask: cannot update ${unknown.join(", ")}; updatable paths are ${mutablePaths.join(", ")}`, Code.InvalidArgument);
      }
      const changes: { email?: string; displayName?: string } = {};
      if (paths.includes("email")) {
        if (input.email.trim() === "") throw new ConnectError("user.email must not be empty when update_mask names it", Code.InvalidArgument);
        changes.email = normaliseEmail(input.email);
      }
      if (paths.includes("display_name")) {
        if (input.displayName.trim() === "") {
          throw new ConnectError("user.display_name must not be empty when update_mask names it", Code.InvalidArgument);
        }
        changes.displayName = input.displayName.trim();
      }
      const user = await sql
        .begin(async (tx) => {
          const updated = await createUserStore(tx).update(input.id, changes);
          if (updated) await events.publish(tx, UserUpdatedSchema, { user: updated, changedPaths: paths }, { subject: updated.id });
          return updated;
        })
        .catch((err: unknown) => Promise.reject(storeError(err, changes.email)));
      if (!user) throw notFound(input.id);
      return { user };
    },
    async deleteUser(req) {
      const deleted = await sql.begin(async (tx) => {
        const found = await createUserStore(tx).delete(req.id);
        if (found) await events.publish(tx, UserDeletedSchema, { userId: req.id }, { subject: req.id });
        return found;
      });
      if (!deleted) throw notFound(req.id);
      return {};
    },
    async verifyPassword(req) {
      const found = await users.getWithHashByEmail(normaliseEmail(req.email));
      const ok = found ? await hasher.verify(req.password, found.passwordHash) : await hasher.verifyNothing(req.password);
      if (!ok || !found) throw new ConnectError("email or password is incorrect", Code.Unauthenticated);
      return { user: found.user satisfies User };
    },
  };
}
