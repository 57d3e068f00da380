import { ConnectError, Code, type ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { getRequestListener } from "@hono/node-server";
import { Health, HealthCheckResponse_ServingStatus as ServingStatus } from "@kinetic/contracts/grpc/health/v1/health_pb.js";
import { readEnv, type EnvVar } from "../config/env-var.js";
import { runtimeEnv, type RuntimeConfig } from "../config/runtime-config.js";
import type { FunctionDatabase } from "../data/open-function-database.js";
import type { FunctionRedis } from "../redis/open-function-redis.js";
import type { KineticFunction } from "../function/define-function.js";
import { createLogger, type Logger } from "../log/logger.js";
import { createHealthService } from "./health-service.js";
import { HealthState } from "./health-state.js";
import { createHttpApp } from "./http-app.js";
import { createProbeResponder } from "./probe-responder.js";
import { createConnectUnaryFastPath } from "./connect-unary-fast-path.js";
import { createGrpcUnaryFastPath } from "./grpc-unary-fast-path.js";
import { FastContextValues } from "./fast-context-values.js";
import { createUnaryRoutes, type ServedService } from "./unary-routes.js";
import { createOnePortServer, type DrainResult, type NodeHandler } from "./one-port-server.js";
import { createReflectionServices } from "./reflection-service.js";
import { createRequestLog } from "./request-log.js";
import { createOutcomeInterceptor, requestRecordKey } from "./request-record.js";
import { createValidationInterceptor } from "./validation-interceptor.js";
import { startTelemetry } from "../telemetry/start-telemetry.js";
import type { KafkaProducer } from "../events/create-kafka-producer.js";
import type { EventReceiver } from "../events/create-event-receiver.js";
import type { EventSink } from "../events/event-sink.js";
import type { OutboxRelay } from "../events/start-outbox-relay.js";
import { telemetryEnv } from "../telemetry/telemetry-config.js";
import { checkImplementations } from "./check-implementations.js";
import { createClientFactory, type ClientFactoryOptions } from "../client/client-factory.js";
import { createInboundCallInterceptor } from "../client/inbound-call.js";
import { registryFromEnv } from "../registry/registry-from-env.js";
import { registerInstance, type InstanceRegistration } from "../registry/register-instance.js";

export interface ServeFunctionOptions {
  /** Overrides for the clients the function makes (tests: a registry double, service owners). Default from the environment. */
  clients?: ClientFactoryOptions;
  /** Environment read instead of `process.env` (tests). Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Address to bind. Default "0.0.0.0" (all interfaces, as in a container). */
  host?: string;
  /** Where log lines go. Default stdout. */
  write?: (line: string) => void;
}

/** A function being served. */
export interface RunningFunction {
  readonly port: number;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly config: RuntimeConfig;
  readonly log: Logger;
  /** Requests in flight right now. */
  readonly inFlight: number;
  /**
   * Graceful shutdown: report not ready, stop accepting, let in-flight requests and streams
   * finish within KINETIC_DRAIN_TIMEOUT_MS, then close the function's pools.
   */
  close(): Promise<DrainResult>;
}

/**
 * Serves one function the way its container runs it: config from the environment, database
 * provisioned and migrated, then Connect (gRPC, gRPC-Web, Connect) and Hono routes on one port.
 *
 * @example
 * const running = await serveFunction(identity, { env: { ...process.env, PORT: "0" } });
 * // … later
 * await running.close();
 */
export async function serveFunction(fn: KineticFunction, options: ServeFunctionOptions = {}): Promise<RunningFunction> {
  const env = options.env ?? process.env;
  const { runtime: config, own } = readFunctionEnv(fn, env);
  const knative = Object.fromEntries(
    Object.entries({ k_service: config.K_SERVICE, k_revision: config.K_REVISION, k_configuration: config.K_CONFIGURATION }).filter(
      ([, v]) => v !== undefined,
    ),
  );
  const started = performance.now();
  const telemetry = await startTelemetry({
    serviceName: fn.name,
    env,
    attributes: config.K_REVISION ? { "service.version": config.K_REVISION } : {},
    shutdownTimeoutMs: 3000,
    // Called after start at the earliest (the SDK loads once a span has ended), so `log` exists.
    onError: (error) => log.error("tracing: cannot load the OpenTelemetry SDK or exporter, spans are dropped", { error }),
  });
  const log = createLogger({
    level: config.LOG_LEVEL,
    base: { function: fn.name, ...knative },
    context: () => {
      const ids = telemetry.currentIds();
      return ids && { ...ids };
    },
    ...(options.write ? { write: options.write } : {}),
  });

  // postgres.js, kafkajs, ioredis and the events machinery are imported only by a function that
  // declares what needs them: the others start without loading them.
  let database: FunctionDatabase | undefined;
  if (fn.migrations) {
    const { openFunctionDatabase } = await import("../data/open-function-database.js");
    database = await openFunctionDatabase({ name: fn.name, config, migrations: fn.migrations, log });
  }
  const sql = database && telemetry.instrumentSql(database.sql);
  const publishes = fn.publishes ?? [];
  let outbox: { relay: OutboxRelay; kafka: KafkaProducer | undefined } | undefined;
  if (publishes.length > 0 && database) {
    const [{ ensureOutboxTable }, { startOutboxRelay }] = await Promise.all([import("../events/outbox-table.js"), import("../events/start-outbox-relay.js")]);
    await ensureOutboxTable(database.sql);
    // A Kafka client when KAFKA_BROKERS is set (or nothing else is); else the SinkBinding's K_SINK over HTTP.
    const overHttp = config.K_SINK !== undefined && !env["KAFKA_BROKERS"];
    let kafka: KafkaProducer | undefined;
    let sink: EventSink;
    if (overHttp) {
      const { createHttpSink } = await import("../events/create-http-sink.js");
      sink = createHttpSink({ url: config.K_SINK! });
    } else {
      const [{ createKafkaProducer }, { createKafkaSink }] = await Promise.all([import("../events/create-kafka-producer.js"), import("../events/create-kafka-sink.js")]);
      kafka = createKafkaProducer({ brokers: config.KAFKA_BROKERS, clientId: fn.name, log });
      sink = createKafkaSink({ producer: kafka.producer, topic: config.KINETIC_EVENTS_TOPIC });
    }
    outbox = { kafka, relay: startOutboxRelay({ sql: database.sql, sink, name: fn.name, log }) };
  }
  const events =
    publishes.length > 0 ? (await import("../events/create-event-publisher.js")).createEventPublisher({ source: `/functions/${fn.name}`, declared: publishes }) : undefined;
  const redisOff = config.REDIS_URL === "off";
  if (fn.redis && redisOff) log.warn("redis is off (REDIS_URL=off): ctx.redis is undefined, so what needs it (caches, rate limits) is skipped");
  let redis: FunctionRedis | undefined;
  if (fn.redis && !redisOff) {
    const { openFunctionRedis } = await import("../redis/open-function-redis.js");
    redis = openFunctionRedis({ name: fn.name, url: config.REDIS_URL, log });
  }
  if (redis) telemetry.instrumentRedis(redis.client);
  const clients = createClientFactory({
    caller: fn.name,
    registry: registryFromEnv(env),
    defaultTimeoutMs: config.KINETIC_CLIENT_TIMEOUT_MS,
    tracing: telemetry.clientInterceptor,
    ...options.clients,
  });
  let implementation;
  try {
    implementation = await fn.setup({ name: fn.name, sql, redis, events, config, env: own, log, client: (service) => clients.client(service) });
    checkImplementations(fn, implementation.services);
  } catch (err) {
    clients.close();
    await outbox?.relay.close();
    await outbox?.kafka?.close();
    await redis?.close();
    await database?.close(0);
    await telemetry.shutdown();
    throw err;
  }

  let ready = false;
  const health = new HealthState({ initial: { "": ServingStatus.NOT_SERVING } });
  for (const { service } of implementation.services) health.set(service.typeName, ServingStatus.NOT_SERVING);
  const shutdown = new AbortController();
  const subscriptions = fn.subscriptions ?? [];
  let receiver: EventReceiver | undefined;
  if (subscriptions.length > 0) {
    const [{ ensureInboxTable }, { createEventReceiver }] = await Promise.all([import("../events/ensure-inbox-table.js"), import("../events/create-event-receiver.js")]);
    if (sql) await ensureInboxTable(sql);
    receiver = createEventReceiver({ subscriptions, runtime: { ...(sql ? { sql } : {}), ...(redis ? { redis } : {}), log, client: (s) => clients.client(s), source: `/functions/${fn.name}` } });
  }
  const functionRoutes = implementation.routes;
  const app = createHttpApp({
    routes: (hono) => {
      receiver?.routes(hono);
      functionRoutes?.(hono);
    },
    log,
  });
  const served: ServedService[] = [
    ...implementation.services,
    ...createReflectionServices({ services: fn.services }),
    { service: Health, implementation: createHealthService(health) },
  ];
  const routes = (router: ConnectRouter) => {
    for (const { service, implementation: impl } of served) router.service(service, impl);
  };
  // Probes are answered by Node itself; Hono's Node adapter (and with it undici) is loaded by
  // the first other plain HTTP request, off the cold start's path (see createProbeResponder).
  const probes = createProbeResponder(() => ready);
  let httpListener: Promise<ReturnType<typeof getRequestListener>> | undefined;
  const plainHttp = (req: Parameters<NodeHandler>[0], res: Parameters<NodeHandler>[1]) => {
    if (probes(req, res)) return;
    httpListener ??= import("@hono/node-server").then(({ getRequestListener }) => getRequestListener(app.fetch));
    httpListener.then(
      (listener) => void listener(req, res as Parameters<typeof listener>[1]),
      (error: unknown) => {
        log.error("cannot load the HTTP routes' adapter (@hono/node-server)", { error });
        if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ code: "internal", message: "internal error" }));
      },
    );
  };
  let requestLog: ReturnType<typeof createRequestLog> | undefined;
  // One set of options for both paths, so that they cannot drift apart.
  const rpcOptions = {
    interceptors: [telemetry.serverInterceptor, createOutcomeInterceptor(), createInboundCallInterceptor(fn.name), createValidationInterceptor()],
    readMaxBytes: config.KINETIC_MAX_MESSAGE_BYTES,
    writeMaxBytes: config.KINETIC_MAX_MESSAGE_BYTES,
    maxTimeoutMs: config.KINETIC_MAX_TIMEOUT_MS,
    shutdownSignal: shutdown.signal,
    contextValues: (req: object) => new FastContextValues().set(requestRecordKey, requestLog?.recordOf(req)),
  };
  const connect = connectNodeAdapter({
    routes,
    ...rpcOptions,
    fallback: (req, res) => plainHttp(req, res as Parameters<NodeHandler>[1]),
  });
  // One route table serves both fast paths.
  const unaryRoutes = config.KINETIC_FAST_PATH === "on" ? createUnaryRoutes({ services: served, ...rpcOptions }) : undefined;
  const fastPath = unaryRoutes && createConnectUnaryFastPath(unaryRoutes);
  const grpcFastPath = unaryRoutes && createGrpcUnaryFastPath(unaryRoutes);
  const rpc: NodeHandler = fastPath ? (req, res) => void (fastPath(req, res) || connect(req, res)) : connect;
  requestLog = createRequestLog(log, rpc);
  const server = createOnePortServer({
    handler: requestLog.handler,
    // gRPC unary calls are answered on the HTTP/2 stream, before node's compatibility API.
    ...(grpcFastPath ? { streamHandler: requestLog.streams(grpcFastPath) } : {}),
    headersTimeoutMs: config.KINETIC_HEADERS_TIMEOUT_MS,
    idleTimeoutMs: config.KINETIC_IDLE_TIMEOUT_MS,
    requestTimeoutMs: config.KINETIC_REQUEST_TIMEOUT_MS,
  });
  const address = await server.listen(config.PORT, options.host ?? "0.0.0.0");
  ready = true;
  health.setAll(ServingStatus.SERVING);
  const url = `http://127.0.0.1:${address.port}`;
  let registration: InstanceRegistration | undefined;
  if (config.KINETIC_REGISTRY_URL) {
    registration = registerInstance({
      registryUrl: config.KINETIC_REGISTRY_URL,
      fn: fn.name,
      url: config.KINETIC_ADVERTISE_URL ?? url,
      services: fn.services.map((s) => s.typeName),
      log,
    });
  }
  log.info("serving", {
    port: address.port,
    pid: process.pid,
    services: fn.services.map((s) => s.typeName),
    startup_ms: Math.round(performance.now() - started),
  });

  let closing: Promise<DrainResult> | undefined;
  return {
    port: address.port,
    url,
    config,
    log,
    get inFlight() {
      return server.inFlight;
    },
    close() {
      closing ??= (async () => {
        ready = false;
        health.close();
        await registration?.deregister();
        await implementation.drain?.();
        log.info("draining", { in_flight: server.inFlight, drain_timeout_ms: config.KINETIC_DRAIN_TIMEOUT_MS });
        const result = await server.drain(config.KINETIC_DRAIN_TIMEOUT_MS, () =>
          shutdown.abort(new ConnectError("the server is shutting down", Code.Unavailable)),
        );
        await receiver?.close();
        await implementation.close?.();
        clients.close();
        // Relay what the last requests committed, but never hold the shutdown for long.
        await Promise.race([outbox?.relay.flush().catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
        await outbox?.relay.close();
        await outbox?.kafka?.close();
        await redis?.close();
        await database?.close(5);
        log.info("stopped", { ...result });
        await telemetry.shutdown();
        return result;
      })();
      return closing;
    },
  };
}

/** Reads the runtime's and the function's own variables together, so one error lists every problem. */
function readFunctionEnv(fn: KineticFunction, env: NodeJS.ProcessEnv) {
  const own: Record<string, EnvVar<unknown>> = fn.env ?? {};
  const values = readEnv({ ...own, ...runtimeEnv, ...telemetryEnv }, env);
  const ownValues = Object.fromEntries(Object.keys(own).map((k) => [k, (values as Record<string, unknown>)[k]]));
  return { runtime: values as unknown as RuntimeConfig, own: ownValues };
}
