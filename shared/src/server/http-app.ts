import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { Logger } from "../log/logger.js";

/** What the plain-HTTP side needs to know about the function's state. */
export interface HttpAppOptions {
  /** True once migrations ran and dependencies are connected, false again while draining. */
  isReady: () => boolean;
  /** The function's own routes (webhooks, JWKS…). */
  routes?: ((app: Hono) => void) | undefined;
  /** Where unexpected route errors are reported. */
  log: Logger;
}

/**
 * The Hono app behind the Connect routes on the function's one port: Kubernetes probes, the
 * function's own routes, and one error renderer (`{ code, message }` JSON) for all of them.
 */
export function createHttpApp({ isReady, routes, log }: HttpAppOptions): Hono {
  const app = new Hono();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", (c) => (isReady() ? c.json({ status: "ready" }) : c.json({ status: "not ready" }, 503)));
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
