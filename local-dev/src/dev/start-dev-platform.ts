import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Code, ConnectError } from "@connectrpc/connect";
import { createLogger, createRegistry, envOverrideStrategy } from "@kinetic/runtime";
import type { ActivatorStatus } from "../activator/activator-status.js";
import { loadActivatorFunction, type ActivatorFunction } from "../activator/load-activator-function.js";
import { startActivator, type Activator } from "../activator/start-activator.js";
import { discoverFunctions } from "../discover-functions.js";
import type { DispatcherTrigger } from "../eventing/dispatcher-trigger.js";
import { loadEventingManifests } from "../eventing/load-eventing-manifests.js";
import { startEventDispatcher } from "../eventing/start-event-dispatcher.js";
import { startMemoryBroker, type MemoryBroker } from "../eventing/start-memory-broker.js";
import { startLocalRegistry, type LocalRegistry } from "../registry/local-registry.js";
import { createDevConsole, type ConsoleOutput, type DevConsole } from "./create-dev-console.js";
import { startInfrastructure, type Infrastructure } from "./start-infrastructure.js";

export interface DevPlatformOptions {
  /** Repository root: functions' working directory, manifests. Default this repository. */
  root?: string;
  /** Function modules relative to `root`. Default every `functions/<name>/src/index.ts`. */
  functions?: readonly string[];
  /** Read for the infrastructure (DATABASE_URL, KAFKA_BROKERS…) and inherited by every function. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** The activator's entry port (PORT); 0 lets the OS pick. Default 8080. */
  port?: number;
  /** The first function's own port (KINETIC_DEV_PORT), the next ones in name order; 0 lets the OS pick each. Default 8081. */
  basePort?: number;
  /** Idle seconds before an instance stops when its declaration sets no window (KINETIC_DEV_IDLE_SECONDS); fractions allowed. Default 30. */
  idleSeconds?: number;
  /** The local registry's port (KINETIC_REGISTRY_PORT). Default 0 (any free port). */
  registryPort?: number;
  /** The Triggers the event dispatcher runs. Default those in `knative/base/eventing`. */
  triggers?: readonly DispatcherTrigger[];
  /** Services already found or started, instead of `startInfrastructure({ root, env })`; closed with the platform. */
  infrastructure?: Infrastructure;
  /** Console output. Default `process.stdout`. */
  out?: ConsoleOutput;
  /** Live table (a terminal) or one line per state change. Default `out.isTTY`. */
  live?: boolean;
  /** Aborting it stops a start in progress: what was started is stopped, and the promise rejects. */
  signal?: AbortSignal;
}

/** `npm run dev`, running. */
export interface DevPlatform {
  /** The activator's entry port, `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** A function's own address on the activator. */
  urlOf(fn: string): string | undefined;
  status(): ActivatorStatus;
  readonly activator: Activator;
  readonly registry: LocalRegistry;
  readonly infrastructure: Infrastructure;
  /** The in-memory broker (the functions' K_SINK) when there is no Kafka. */
  readonly memoryBroker: MemoryBroker | undefined;
  readonly console: DevConsole;
  /** Stops the dispatcher, drains every function, then the registry and the infrastructure it started. */
  close(): Promise<void>;
}

const defaultRoot = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * The Knative emulator: infrastructure (Postgres, Redis, Kafka; see `startInfrastructure`),
 * the activator in front of every function (scale from zero, out and back; see
 * `startActivator`), the local registry resolving each function to its activator port (so
 * calls between functions wake their target), and the Kafka Broker's dispatcher delivering
 * events through the activator too. Functions run only once called, unless they declare
 * minScale.
 *
 * @example
 * const platform = await startDevPlatform({ port: 0, basePort: 0 });
 * // http://identity.localhost:<port>/kinetic.identity.v1.IdentityService/CreateUser
 * await platform.close();
 */
export async function startDevPlatform(options: DevPlatformOptions = {}): Promise<DevPlatform> {
  const { root = defaultRoot, env = process.env, port = 8080, basePort = 8081, idleSeconds = 30, registryPort = 0, signal } = options;
  const console = createDevConsole({ ...(options.out ? { out: options.out } : {}), ...(options.live === undefined ? {} : { live: options.live }) });
  const stops: (() => Promise<void>)[] = [];
  /** In reverse order of start: the dispatcher before the activator drains the functions, the infrastructure last. */
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch((err: unknown) => console.info(`while stopping: ${(err as Error).message}`));
  };
  const step = async <T>(start: () => Promise<T>, stop: (started: T) => Promise<void>): Promise<T> => {
    signal?.throwIfAborted();
    const started = await start();
    stops.push(() => stop(started));
    signal?.throwIfAborted();
    return started;
  };
  try {
    const infrastructure = await step(
      async () => options.infrastructure ?? startInfrastructure({ root, env, progress: (line) => console.info(line) }),
      (i) => i.close(),
    );
    let activator: Activator | undefined;
    const registry = await step(() => startLocalRegistry({ port: registryPort, route: (fn) => activator?.urlOf(fn) }), (r) => r.close());
    const declared = await Promise.all((options.functions ?? discoverFunctions(root)).map((module) => loadActivatorFunction(root, module)));
    const functions: ActivatorFunction[] = [];
    // One at a time: the first embedded database creates the template the others copy.
    for (const fn of declared) functions.push(fn.database ? { ...fn, env: await infrastructure.envFor(fn.name) } : fn);
    signal?.throwIfAborted();
    const manifests = loadEventingManifests(join(root, "knative/base/eventing"));
    const triggers = options.triggers ?? manifests.triggers;
    const eventsLog = createLogger({ base: { component: "eventing" }, write: (line) => console.processLine("eventing", undefined, line.trimEnd()) });
    const unavailable = (fn: string) => new ConnectError(`the emulator runs no function "${fn}"`, Code.Unavailable);
    // Without Kafka, the in-memory broker is the functions' K_SINK; it starts first because they need its URL.
    const memoryBroker = infrastructure.kafka
      ? undefined
      : await step(
          () =>
            startMemoryBroker({
              triggers,
              brokerDelivery: manifests.brokerDelivery,
              namespace: manifests.namespace,
              broker: manifests.broker,
              resolve: async (fn) => activator?.urlOf(fn) ?? Promise.reject(unavailable(fn)),
              log: eventsLog,
            }),
          (b) => b.close(),
        );
    const eventsEnv = memoryBroker ? { K_SINK: memoryBroker.url, KAFKA_BROKERS: "" } : {};
    console.info(`starting the activator for ${functions.map((f) => f.name).join(", ")}…`);
    activator = await step(
      () =>
        startActivator({
          functions,
          root,
          port,
          basePort,
          idleSeconds,
          env: { ...env, ...infrastructure.env, ...eventsEnv, KINETIC_REGISTRY_URL: registry.url },
          onEvent: (event) => console.event(event),
          onLine: (fn, instance, line) => console.processLine(fn, instance, line),
        }),
      (a) => a.close(),
    );
    const running = activator;
    const resolver = createRegistry([
      envOverrideStrategy(env),
      { name: "the emulator runs no such function", resolve: async (fn) => running.urlOf(fn) },
    ]);
    if (infrastructure.kafka) {
      const { brokers, topic, deadLetterTopic } = infrastructure.kafka;
      console.info(`starting the event dispatcher (${triggers.length} triggers)…`);
      await step(
        () =>
          startEventDispatcher({
            brokers,
            topic,
            deadLetterTopic,
            triggers,
            brokerDelivery: manifests.brokerDelivery,
            resolve: (fn) => resolver.resolve(fn),
            log: eventsLog,
          }),
        (d) => d.close(),
      );
    }

    console.info("ready");
    for (const line of infrastructure.summary) console.info(`  ${line}`);
    console.info(`  ${"registry".padEnd(10)} ${registry.url} (Resolve answers each function's activator port)`);
    if (infrastructure.kafka) console.info(`  ${"eventing".padEnd(10)} Triggers from knative/base/eventing, delivered through the activator`);
    if (memoryBroker) console.info(`  ${"eventing".padEnd(10)} ${memoryBroker.url} (in memory, NOT durable: no Kafka; Triggers from knative/base/eventing, delivered through the activator)`);
    console.info(`  ${"activator".padEnd(10)} ${running.url} (by Host <name>.localhost or <name>.<namespace>.svc.cluster.local, by RPC path; GET / dashboard)`);
    for (const fn of running.status().functions) {
      console.info(`  ${fn.name.padEnd(10)} ${fn.url} (${fn.services.join(", ")}; scales ${fn.scaling.minScale}..${fn.scaling.maxScale})`);
    }
    console.showTable(() => running.status());

    let closing: Promise<void> | undefined;
    return {
      url: running.url,
      urlOf: (fn) => running.urlOf(fn),
      status: () => running.status(),
      activator: running,
      registry,
      infrastructure,
      memoryBroker,
      console,
      close() {
        closing ??= (async () => {
          console.close();
          console.info("stopping every function…");
          await stopAll();
        })();
        return closing;
      },
    };
  } catch (err) {
    console.close();
    await stopAll();
    throw err;
  }
}
