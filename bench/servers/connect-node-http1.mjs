// Bare connect-node on node:http (HTTP/1.1): Connect JSON and Connect binary.
import { createServer } from "node:http";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { echoRoutes } from "./echo-routes.mjs";

createServer(connectNodeAdapter({ routes: echoRoutes })).listen(Number(process.env.PORT ?? 0), "127.0.0.1");
