import { connect } from "node:net";

/**
 * What answers on a port: `kafka` (it answered an ApiVersions request), `closed` (nothing
 * listens), `silent` (it accepted the connection but said nothing in time, as a broker that is
 * still starting does) or `other` (it spoke, but not Kafka).
 */
export type KafkaProbeResult = "kafka" | "closed" | "silent" | "other";

const API_VERSIONS = 18;
const CORRELATION_ID = 0x6b6e7463;
const CLIENT_ID = Buffer.from("kinetic-probe");

/**
 * Asks `host:port` for its API versions, the first request of every Kafka client, over a raw
 * socket so that local-dev needs no Kafka client at run time. Version 0 of the request is used
 * because every broker, Kafka 4 included (KIP-896 kept it), answers it. Never rejects.
 *
 * @example
 * if ((await probeKafka("127.0.0.1", 9092)) === "kafka") console.log("a broker is running");
 */
export function probeKafka(host: string, port: number, timeoutMs = 1000): Promise<KafkaProbeResult> {
  const request = Buffer.alloc(14 + CLIENT_ID.length);
  request.writeInt32BE(request.length - 4, 0);
  request.writeInt16BE(API_VERSIONS, 4);
  request.writeInt16BE(0, 6);
  request.writeInt32BE(CORRELATION_ID, 8);
  request.writeInt16BE(CLIENT_ID.length, 12);
  CLIENT_ID.copy(request, 14);
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const socket = connect({ host, port });
    const finish = (result: KafkaProbeResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => finish(received.length === 0 ? "silent" : "other"));
    socket.once("connect", () => socket.write(request));
    socket.once("error", (err: NodeJS.ErrnoException) => finish(err.code === "ECONNREFUSED" ? "closed" : "other"));
    socket.once("end", () => finish("other"));
    socket.on("data", (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 8) return;
      const size = received.readInt32BE(0);
      // An ApiVersions response is small; anything else (an HTTP reply reads as ~1.2e9) is not Kafka.
      if (size < 6 || size > 1 << 20 || received.readInt32BE(4) !== CORRELATION_ID) return finish("other");
      if (received.length >= 4 + size) finish("kafka");
    });
  });
}
