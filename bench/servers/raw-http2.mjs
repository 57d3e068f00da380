// Reference for the h2c rows: a hand-written node:http2 gRPC echo (no protobuf decoding; a
// unary request and its response share one encoding), i.e. the ceiling of HTTP/2 in Node.
import { createServer } from "node:http2";

const server = createServer();
server.on("stream", (stream) => {
  const chunks = [];
  stream.on("data", (chunk) => chunks.push(chunk));
  stream.on("end", () => {
    stream.respond({ ":status": 200, "content-type": "application/grpc" }, { waitForTrailers: true });
    stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
    stream.end(Buffer.concat(chunks));
  });
});
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1");
