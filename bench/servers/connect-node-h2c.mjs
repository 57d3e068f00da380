// Bare connect-node on node:http2 without TLS (h2c): gRPC.
import { createServer } from "node:http2";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { echoRoutes } from "./echo-routes.mjs";

createServer(connectNodeAdapter({ routes: echoRoutes })).listen(Number(process.env.PORT ?? 0), "127.0.0.1");
