import { join } from "node:path";

export interface KafkaServerPropertiesOptions {
  /** The only address the node listens on and advertises. Required. */
  host: string;
  /** Port of the PLAINTEXT listener that clients use. Required. */
  port: number;
  /** Port of the KRaft controller listener. Required. */
  controllerPort: number;
  /** The node's data directory; the log lives in `<dataDir>/logs`. Required. */
  dataDir: string;
}

/**
 * The `server.properties` of a single combined broker + controller KRaft node, tuned for a
 * laptop or CI runner rather than production: every internal topic has one replica and one
 * partition (less to load at start), consumer groups rebalance at once, and topics are never
 * created implicitly, because in production the platform creates them and a mistyped topic
 * name should fail here too.
 */
export function kafkaServerProperties({ host, port, controllerPort, dataDir }: KafkaServerPropertiesOptions): string {
  const properties: Record<string, string | number | boolean> = {
    "process.roles": "broker,controller",
    "node.id": 1,
    "controller.quorum.voters": `1@${host}:${controllerPort}`,
    "controller.listener.names": "CONTROLLER",
    listeners: `PLAINTEXT://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
    "advertised.listeners": `PLAINTEXT://${host}:${port}`,
    "inter.broker.listener.name": "PLAINTEXT",
    "listener.security.protocol.map": "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
    "log.dirs": join(dataDir, "logs"),
    "auto.create.topics.enable": false,
    "num.partitions": 1,
    "default.replication.factor": 1,
    "offsets.topic.replication.factor": 1,
    "offsets.topic.num.partitions": 1,
    "transaction.state.log.replication.factor": 1,
    "transaction.state.log.min.isr": 1,
    "transaction.state.log.num.partitions": 1,
    // Share groups (Kafka 4.x; a 3.9 broker logs these as unused).
    "share.coordinator.state.topic.replication.factor": 1,
    "share.coordinator.state.topic.min.isr": 1,
    "share.coordinator.state.topic.num.partitions": 1,
    "group.initial.rebalance.delay.ms": 0,
    // Two cores: fewer threads, and a 16 MiB compaction buffer instead of 128 MiB of a 512 MiB heap.
    "num.network.threads": 2,
    "num.io.threads": 4,
    "background.threads": 4,
    "log.cleaner.dedupe.buffer.size": 16 * 1024 * 1024,
  };
  return `${Object.entries(properties)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join("\n")}\n`;
}
