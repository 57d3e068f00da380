import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Logger } from "../log/logger.js";

/** What the plain-HTTP side serves. */
export interface HttpAppOptions {
  /** The function's own routes (webhooks, JWKS…). */
  routes?: ((app: Hono) => void) | undefined;
  /** Where unexpected route errors are reported. */
  log: Logger;
}

/**
 * The Hono app behind the Connect routes on the function's one port: the function's own routes,
 * a 404 that says what RPC paths look like, and one error renderer (`{ code, message }` JSON)
 * for all of them. Kubernetes' probes never reach it (`createProbeResponder`).
 */
export function createHttpApp({ routes, log }: HttpAppOptions): Hono {
  const app = new Hono();
  routes?.(app);
  app.notFound((c) =>
    c.json({ code: "not_found", message: `no route for ${c.req.method} ${c.req.path}: RPCs are POST /<package>.<Service>/<Method>` }, 404),
  );
  app.onError((err, c) => {
    if (err instanceof HTTPException) {
      return c.json({ code: "http_error", message: err.message }, err.status);
    }
    log.error("unhandled error in HTTP route", { path: c.req.path, error: err });
    return c.json({ code: "internal", message: "internal error" }, 500);
  });
  return app;
}
