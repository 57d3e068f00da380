import { LoggedOutSchema, LoginSucceededSchema, RefreshTokenReuseDetectedSchema } from "@kinetic/contracts/kinetic/auth/v1/events_pb.js";
import type { EventPublisher } from "@kinetic/runtime";
import type { Sql, TransactionSql } from "postgres";

/** What presenting a refresh token to `rotate` did. */
export type RotateOutcome =
  /** It was live: it is now used, and its successor is stored in the same family. */
  | { readonly kind: "rotated"; readonly userId: string; readonly familyId: string }
  /** It had been used already: a sign of theft, so its whole family is now revoked. */
  | { readonly kind: "reused"; readonly userId: string; readonly familyId: string }
  /** It is unknown, revoked or expired: nothing changed. */
  | { readonly kind: "rejected"; readonly reason: "unknown" | "revoked" | "expired" };

/** The SQL of `refresh_tokens`; tokens are known only by their sha256. */
export interface RefreshTokenStore {
  /** Stores the first token of a new family (a login) and publishes LoginSucceeded with it. */
  insertFamily(userId: string, hash: Buffer, ttlSeconds: number, clientAddress: string | undefined): Promise<void>;
  /** Trades the live token `hash` for `nextHash`, atomically: of two concurrent trades of one token, the second is a reuse. */
  rotate(hash: Buffer, nextHash: Buffer, ttlSeconds: number): Promise<RotateOutcome>;
  /** Revokes the family of the token `hash`; false when no token has that hash. */
  revokeFamily(hash: Buffer): Promise<boolean>;
}

interface TokenRow {
  id: string;
  user_id: string;
  used: boolean;
  revoked: boolean;
  expired: boolean;
}

/**
 * Finds the family of the token `hash` and locks it for the transaction. Every write to a family
 * takes this lock, so a Logout cannot miss the successor a concurrent Refresh is inserting, and
 * each statement after it sees every committed change to the family.
 */
async function lockFamilyOf(tx: TransactionSql, hash: Buffer): Promise<string | undefined> {
  const [found] = await tx<{ family_id: string }[]>`select family_id from refresh_tokens where token_hash = ${hash}`;
  if (!found) return undefined;
  await tx`select pg_advisory_xact_lock(hashtextextended('kinetic.auth.refresh_tokens.' || ${found.family_id}, 0))`;
  return found.family_id;
}

/**
 * The refresh token store over the function's pool (search_path = the `auth` schema). Each
 * change publishes its event (LoginSucceeded, RefreshTokenReuseDetected, LoggedOut) in the
 * same transaction.
 */
export function createRefreshTokenStore(sql: Sql, events: EventPublisher): RefreshTokenStore {
  return {
    async insertFamily(userId, hash, ttlSeconds, clientAddress) {
      await sql.begin(async (tx) => {
        const [row] = await tx<{ family_id: string }[]>`
          insert into refresh_tokens (user_id, token_hash, expires_at)
          values (${userId}, ${hash}, now() + make_interval(secs => ${ttlSeconds}))
          returning family_id`;
        await events.publish(tx, LoginSucceededSchema, { userId, familyId: row!.family_id, clientAddress: clientAddress ?? "" }, { subject: userId });
      });
    },
    rotate(hash, nextHash, ttlSeconds) {
      return sql.begin(async (tx): Promise<RotateOutcome> => {
        const familyId = await lockFamilyOf(tx, hash);
        if (familyId === undefined) return { kind: "rejected", reason: "unknown" };
        const [row] = await tx<TokenRow[]>`
          select id, user_id, used_at is not null as used, revoked_at is not null as revoked, expires_at <= now() as expired
          from refresh_tokens where token_hash = ${hash}`;
        if (row!.revoked) return { kind: "rejected", reason: "revoked" };
        if (row!.used) {
          await tx`update refresh_tokens set revoked_at = now() where family_id = ${familyId} and revoked_at is null`;
          await events.publish(tx, RefreshTokenReuseDetectedSchema, { userId: row!.user_id, familyId }, { subject: row!.user_id });
          return { kind: "reused", userId: row!.user_id, familyId };
        }
        if (row!.expired) return { kind: "rejected", reason: "expired" };
        await tx`update refresh_tokens set used_at = now() where id = ${row!.id}`;
        await tx`
          insert into refresh_tokens (family_id, user_id, token_hash, expires_at)
          values (${familyId}, ${row!.user_id}, ${nextHash}, now() + make_interval(secs => ${ttlSeconds}))`;
        return { kind: "rotated", userId: row!.user_id, familyId };
      });
    },
    revokeFamily(hash) {
      return sql.begin(async (tx) => {
        const familyId = await lockFamilyOf(tx, hash);
        if (familyId === undefined) return false;
        const revoked = await tx<{ user_id: string }[]>`
          update refresh_tokens set revoked_at = now() where family_id = ${familyId} and revoked_at is null returning user_id`;
        const userId = revoked[0]?.user_id;
        if (userId !== undefined) await events.publish(tx, LoggedOutSchema, { userId, familyId }, { subject: userId });
        return true;
      });
    },
  };
}
