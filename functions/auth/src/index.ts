import { AuthService } from "@kinetic/contracts/kinetic/auth/v1/auth_pb.js";
import {
  LoggedOutSchema,
  LoginFailedSchema,
  LoginSucceededSchema,
  RefreshTokenReuseDetectedSchema,
} from "@kinetic/contracts/kinetic/auth/v1/events_pb.js";
import { IdentityService } from "@kinetic/contracts/kinetic/identity/v1/identity_pb.js";
import { defineFunction, implement, integerVar, optionalStringVar, stringVar } from "@kinetic/runtime";
import { createAccessTokens } from "./access-tokens.js";
import { createAuthService } from "./auth-service.js";
import { createJwksRoutes } from "./jwks-routes.js";
import { createKeyRing } from "./key-ring.js";
import { createLoginLimiter } from "./login-limiter.js";
import { createRefreshTokenStore } from "./refresh-token-store.js";
import { createSigningKeySource } from "./signing-key-source.js";
import { createSigningKeyStore } from "./signing-key-store.js";

/** Clock skew tolerated between instances when checking exp, nbf and iat. */
const clockToleranceSeconds = 30;

/** auth: sign-in, refresh-token rotation and access tokens. The only entry point of the function. */
export default defineFunction({
  name: "auth",
  description: "sign-in, refresh-token rotation and access-token verification",
  services: [AuthService],
  migrations: new URL("../migrations/", import.meta.url),
  redis: true,
  publishes: [LoginSucceededSchema, LoginFailedSchema, LoggedOutSchema, RefreshTokenReuseDetectedSchema],
  env: {
    /** The `iss` of access tokens, and the only one VerifyToken accepts. Default "kinetic-auth". */
    AUTH_ISSUER: stringVar("kinetic-auth"),
    /** The `aud` of access tokens, and the one VerifyToken requires. Default "kinetic". */
    AUTH_AUDIENCE: stringVar("kinetic"),
    /** Lifetime of an access token, in seconds. Default 900 (15 minutes). */
    AUTH_ACCESS_TOKEN_TTL_SECONDS: integerVar(900, 60, 86_400),
    /** Lifetime of each refresh token from when it is issued, in seconds. Default 2592000 (30 days). */
    AUTH_REFRESH_TOKEN_TTL_SECONDS: integerVar(2_592_000, 60, 31_536_000),
    /** A mounted secret holding a JWK set of private Ed25519 keys, newest (signing) first. Default none: dev keys in Postgres. */
    AUTH_SIGNING_KEYS_FILE: optionalStringVar(),
    /** The same JWK set as a value, when a file cannot be mounted. Default none. */
    AUTH_SIGNING_KEYS: optionalStringVar(),
    /** How often the key set is read again to pick up rotations, in seconds. Default 60. */
    AUTH_SIGNING_KEYS_RELOAD_SECONDS: integerVar(60, 1, 3600),
    /** Failed logins of one account allowed per window before it is locked. Default 5. */
    AUTH_MAX_FAILED_LOGINS_PER_ACCOUNT: integerVar(5, 1, 1000),
    /** Failed logins from one client address allowed per window. Default 50. */
    AUTH_MAX_FAILED_LOGINS_PER_ADDRESS: integerVar(50, 1, 1_000_000),
    /** Length of the failed-login window, from its first failure, in seconds. Default 900. */
    AUTH_FAILED_LOGIN_WINDOW_SECONDS: integerVar(900, 1, 86_400),
    /** Proxies in front of auth that append to x-forwarded-for; 0 trusts its leftmost entry (the gateway overwrites it). Default 0. */
    AUTH_TRUSTED_PROXY_HOPS: integerVar(0, 0, 10),
  },
  async setup({ sql, redis, env, log, client, events }) {
    const keys = await createKeyRing({
      source: createSigningKeySource({ file: env.AUTH_SIGNING_KEYS_FILE, json: env.AUTH_SIGNING_KEYS, store: createSigningKeyStore(sql!) }),
      retiredKeyLifetimeSeconds: env.AUTH_ACCESS_TOKEN_TTL_SECONDS + env.AUTH_SIGNING_KEYS_RELOAD_SECONDS + clockToleranceSeconds,
      reloadSeconds: env.AUTH_SIGNING_KEYS_RELOAD_SECONDS,
      log,
    });
    const accessTokens = createAccessTokens({
      keys,
      issuer: env.AUTH_ISSUER,
      audience: env.AUTH_AUDIENCE,
      ttlSeconds: env.AUTH_ACCESS_TOKEN_TTL_SECONDS,
      clockToleranceSeconds,
    });
    const limiter = createLoginLimiter({
      redis,
      maxPerAccount: env.AUTH_MAX_FAILED_LOGINS_PER_ACCOUNT,
      maxPerAddress: env.AUTH_MAX_FAILED_LOGINS_PER_ADDRESS,
      windowSeconds: env.AUTH_FAILED_LOGIN_WINDOW_SECONDS,
      log,
    });
    const service = createAuthService({
      identity: client(IdentityService),
      accessTokens,
      refreshTokens: createRefreshTokenStore(sql!, events!),
      sql: sql!,
      events: events!,
      limiter,
      refreshTtlSeconds: env.AUTH_REFRESH_TOKEN_TTL_SECONDS,
      trustedProxyHops: env.AUTH_TRUSTED_PROXY_HOPS,
      log,
    });
    return {
      services: [implement(AuthService, service)],
      routes: createJwksRoutes(keys),
      close: async () => keys.close(),
    };
  },
});
