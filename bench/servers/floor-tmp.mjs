// Experiment: raw node:http + the essential work of a Connect JSON call (protobuf-es JSON, protovalidate, handler).
import { createServer } from "node:http";
import { fromJsonString, toJsonString, create } from "@bufbuild/protobuf";
import { createValidator } from "@bufbuild/protovalidate";
import { EchoRequestSchema, EchoResponseSchema } from "@kinetic/contracts/kinetic/echo/v1/echo_pb.js";
const validator = createValidator();
const validate = process.env.FLOOR_VALIDATE !== "0";
async function echo(req) { return create(EchoResponseSchema, { message: req.message }); }
const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (chunk) => chunks.push(chunk));
  req.on("end", async () => {
    const input = fromJsonString(EchoRequestSchema, Buffer.concat(chunks).toString("utf8"));
    if (validate) { const r = validator.validate(EchoRequestSchema, input); if (r.kind !== "valid") { res.writeHead(400).end(); return; } }
    const output = await echo(input);
    const body = toJsonString(EchoResponseSchema, output);
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
});
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1");
