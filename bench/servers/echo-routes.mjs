// The EchoService routes the bare connect-node servers share: unary echo only.
import { EchoService } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";

/** @param {import("@connectrpc/connect").ConnectRouter} router */
export function echoRoutes(router) {
  router.service(EchoService, { echo: (req) => ({ message: req.message }) });
}
