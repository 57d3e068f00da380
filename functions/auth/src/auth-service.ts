import { create } from "@bufbuild/protobuf";
import type { Client, ServiceImpl } from "@connectrpc/connect";
import { Code, ConnectError } from "@connectrpc/connect";
import { AuthService, TokensSchema, type Tokens } from "@kinetic/contracts/kinetic/auth/v1/auth_pb.js";
import type { IdentityService } from "@kinetic/contracts/kinetic/identity/v1/identity_pb.js";
import { createHash } from "node:crypto";
import { LoginFailedSchema } from "@kinetic/contracts/kinetic/auth/v1/events_pb.js";
import { connectErrorFromPostgres, type EventPublisher, type Logger } from "@kinetic/runtime";
import type { Sql } from "postgres";
import type { AccessTokens } from "./access-tokens.js";
import { clientAddressFromHeaders } from "./client-address.js";
import type { LoginLimiter } from "./login-limiter.js";
import { hashRefreshToken, newRefreshToken } from "./refresh-token.js";
import type { RefreshTokenStore } from "./refresh-token-store.js";

/** What the AuthService handlers work with. */
export interface AuthServiceOptions {
  /** The identity function, which checks passwords. Required. */
  identity: Client<typeof IdentityService>;
  accessTokens: AccessTokens;
  refreshTokens: RefreshTokenStore;
  limiter: LoginLimiter;
  /** Lifetime of each refresh token, in seconds, from when it is issued (AUTH_REFRESH_TOKEN_TTL_SECONDS). */
  refreshTtlSeconds: number;
  /** Proxies appending to x-forwarded-for in front of auth (AUTH_TRUSTED_PROXY_HOPS); see `clientAddressFromHeaders`. */
  trustedProxyHops: number;
  log: Logger;
  /** The pool, for events written in their own transaction (LoginFailed). */
  sql: Sql;
  events: EventPublisher;
}

// One message for an unknown, revoked, expired or reused token: the answer tells nothing about which.
const refreshRejected = () => new ConnectError("refresh_token is invalid, expired or revoked: log in again", Code.Unauthenticated);

const fromStore = (err: unknown) => Promise.reject(connectErrorFromPostgres(err));

/** Emails are compared trimmed and in lower case, as identity stores them. */
function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * The AuthService handlers. Tokens and passwords are never logged: log lines carry user and
 * family ids only.
 */
export function createAuthService(options: AuthServiceOptions): ServiceImpl<typeof AuthService> {
  const { identity, accessTokens, refreshTokens, limiter, refreshTtlSeconds, trustedProxyHops, log, sql, events } = options;

  async function tokensFor(userId: string, refreshToken: string): Promise<Tokens> {
    const accessToken = await accessTokens.sign(userId);
    return create(TokensSchema, { accessToken, refreshToken, expiresIn: accessTokens.ttlSeconds, tokenType: "Bearer" });
  }

  /** The user id for these credentials; identity's answer is re-thrown without its response metadata. */
  async function verifyPassword(email: string, password: string): Promise<string | undefined> {
    try {
      const { user } = await identity.verifyPassword({ email, password });
      if (!user) throw new ConnectError("identity answered verify_password without a user", Code.Internal);
      return user.id;
    } catch (err) {
      const e = ConnectError.from(err);
      if (e.code === Code.Unauthenticated) return undefined;
      throw new ConnectError(`identity could not check the password: ${e.rawMessage}`, e.code, undefined, undefined, e);
    }
  }

  /** LoginFailed, about a hash of the account: the event log never holds email addresses. */
  async function publishFailure(account: string, reason: "credentials" | "locked", address: string | undefined): Promise<void> {
    const subject = createHash("sha256").update(account).digest("hex");
    await sql
      .begin((tx) => events.publish(tx, LoginFailedSchema, { reason, clientAddress: address ?? "" }, { subject }))
      .catch(fromStore);
  }

  return {
    async login(req, ctx) {
      const account = normaliseEmail(req.email);
      const address = clientAddressFromHeaders(ctx.requestHeader, trustedProxyHops);
      const lock = await limiter.check(account, address);
      if (lock) {
        await publishFailure(account, "locked", address);
        const retryAfter = String(lock.retryAfterSeconds);
        throw new ConnectError(
          `too many failed logins for this ${lock.scope}: retry in ${retryAfter} seconds`,
          Code.ResourceExhausted,
          { "retry-after": retryAfter },
        );
      }
      const userId = await verifyPassword(account, req.password);
      if (userId === undefined) {
        await limiter.recordFailure(account, address);
        await publishFailure(account, "credentials", address);
        throw new ConnectError("email or password is incorrect", Code.Unauthenticated);
      }
      await limiter.reset(account);
      const refresh = newRefreshToken();
      await refreshTokens.insertFamily(userId, refresh.hash, refreshTtlSeconds, address).catch(fromStore);
      log.info("logged in", { user_id: userId });
      return { tokens: await tokensFor(userId, refresh.token) };
    },
    async refresh(req) {
      const next = newRefreshToken();
      const outcome = await refreshTokens.rotate(hashRefreshToken(req.refreshToken), next.hash, refreshTtlSeconds).catch(fromStore);
      if (outcome.kind === "reused") {
        log.warn("refresh token used twice: its family is revoked", { user_id: outcome.userId, family_id: outcome.familyId });
      }
      if (outcome.kind !== "rotated") throw refreshRejected();
      return { tokens: await tokensFor(outcome.userId, next.token) };
    },
    async logout(req) {
      // Unknown and already revoked tokens succeed too: logout is idempotent and reveals nothing.
      await refreshTokens.revokeFamily(hashRefreshToken(req.refreshToken)).catch(fromStore);
      return {};
    },
    async verifyToken(req) {
      return { claims: await accessTokens.verify(req.token) };
    },
  };
}
