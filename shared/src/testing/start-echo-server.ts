import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import type { Interceptor, ServiceImpl } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { EchoService } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";

/** A bare Connect server for telemetry tests. Test-only. */
export interface EchoServer {
  /** `http://127.0.0.1:<port>` (h2c: gRPC, gRPC-Web and Connect). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Serves `EchoService` with the given methods and interceptors on a free port over h2c, with
 * nothing else of the runtime around it. Test-only (it belongs with the helpers in `testing/`).
 *
 * @example
 * const backend = await startEchoServer({ echo: (req) => ({ message: req.message }) }, [telemetry.serverInterceptor]);
 */
export async function startEchoServer(methods: Partial<ServiceImpl<typeof EchoService>>, interceptors: Interceptor[]): Promise<EchoServer> {
  const sessions = new Set<http2.ServerHttp2Session>();
  const server = http2.createServer(connectNodeAdapter({ routes: (router) => router.service(EchoService, methods), interceptors }));
  server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close() {
      for (const session of sessions) session.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
