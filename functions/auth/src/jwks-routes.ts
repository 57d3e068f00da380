import type { Hono } from "hono";
import type { KeyRing } from "./key-ring.js";

/** Where verifiers (the gateway, other functions) fetch the public keys. */
const jwksPath = "/.well-known/jwks.json";

/**
 * The Hono routes of the function: `GET /.well-known/jwks.json`, the public half of every key
 * that may have signed a live token, cacheable for five minutes. A verifier that meets an unknown
 * kid should fetch it again (jose's `createRemoteJWKSet` does).
 */
export function createJwksRoutes(keys: KeyRing): (app: Hono) => void {
  return function jwksRoutes(app) {
    app.get(jwksPath, (c) => {
      c.header("Cache-Control", "public, max-age=300");
      return c.json({ keys: keys.publicJwks() });
    });
  };
}
