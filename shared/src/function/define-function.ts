import type { DescMessage, DescService } from "@bufbuild/protobuf";
import type { Client, ServiceImpl } from "@connectrpc/connect";
import type { Hono } from "hono";
import type { Sql } from "postgres";
import type { RuntimeConfig } from "../config/runtime-config.js";
import type { EnvVar, EnvValues } from "../config/env-var.js";
import type { Logger } from "../log/logger.js";
import { eventTypeOf } from "../events/event-type-of.js";
import type { Subscription } from "../events/subscription.js";
import { validateSubscriptions } from "../events/validate-subscriptions.js";
import type { FunctionRedis } from "../redis/open-function-redis.js";
import type { EventPublisher } from "../events/create-event-publisher.js";

/**
 * Everything the platform knows about a function, declared once in its `src/index.ts`. The
 * runtime serves from it; later, the registry, the Knative manifests and the emulator's routing
 * are generated from it, so nothing here is ever repeated elsewhere.
 */
export interface FunctionDeclaration<E extends Record<string, EnvVar<unknown>> = Record<string, never>> {
  /** DNS-1035 label (lower case, digits, '-'): the Knative Service, Postgres schema and role. */
  readonly name: string;
  /** One line on what the function owns, for manifests and the dashboard. */
  readonly description: string;
  /** The proto services this function serves; callers find it through this list. */
  readonly services: readonly DescService[];
  /**
   * The folder of `NNNN_<what>.sql` migrations, as a URL relative to the module
   * (`new URL("../migrations/", import.meta.url)`). Omit for a function without a database.
   */
  readonly migrations?: URL;
  /**
   * The events this function publishes: proto messages carrying
   * `option (kinetic.events.v1.event).type`. They go through a transactional outbox, so the
   * function must declare migrations. Default none.
   */
  readonly publishes?: readonly DescMessage[];
  /**
   * The events this function handles, each `on(Schema, handler, options)`: delivered as
   * CloudEvents to `POST /`, deduplicated, and deployed as one Knative Trigger each. Default none.
   */
  readonly subscriptions?: readonly Subscription[];
  /** Opens Redis (REDIS_URL) for caches, idempotency and rate limits, keys prefixed `<name>:`. Default false. */
  readonly redis?: boolean;
  /** Reachable from outside the cluster (`public`) or only from other functions. Default cluster-local. */
  readonly visibility?: "public" | "cluster-local";
  /** Knative autoscaling; see `ScalingDeclaration`. Default scale to zero, up to 10 instances. */
  readonly scaling?: ScalingDeclaration;
  /** Function-specific environment variables, validated at start with the runtime's own. */
  readonly env?: E;
  /** Builds the implementations once the database is migrated; runs once per process. */
  readonly setup: (context: FunctionContext<EnvValues<E>>) => FunctionImplementation | Promise<FunctionImplementation>;
}

export interface ScalingDeclaration {
  /** Instances kept warm. Default 0 (scale to zero). */
  readonly minScale?: number;
  /** Upper bound on instances. Default 10. */
  readonly maxScale?: number;
  /** In-flight requests per instance the autoscaler aims at. Default 100. */
  readonly target?: number;
  /** Hard limit of concurrent requests per instance (0 = unlimited). Default 0. */
  readonly containerConcurrency?: number;
  /**
   * Seconds without requests before an instance is removed, down to `minScale` (Knative's
   * stable window, `autoscaling.knative.dev/window`, 6–3600). Default: the cluster's (60 s);
   * `npm run dev` uses a shorter one (KINETIC_DEV_IDLE_SECONDS, 30 s) unless this is set.
   */
  readonly windowSeconds?: number;
}

/** What `setup` receives. */
export interface FunctionContext<Env = Record<string, never>> {
  readonly name: string;
  /** The function's Postgres pool (search_path = its schema); present when it declares migrations. */
  readonly sql: Sql | undefined;
  /** Publishes the declared events inside a transaction (`events.publish(tx, Schema, data, { subject })`). */
  readonly events: EventPublisher | undefined;
  /** The function's Redis when it declares `redis: true`. Never blocks start: check `available`. */
  readonly redis: FunctionRedis | undefined;
  readonly config: RuntimeConfig;
  /** The function's own variables, validated. */
  readonly env: Env;
  readonly log: Logger;
  /**
   * A typed client of another function's service, found through the registry, with deadline
   * and caller propagation, tracing, retries and a circuit breaker. Never import another
   * function's code: call it.
   */
  client<S extends DescService>(service: S): Client<S>;
}

/** What `setup` returns. */
export interface FunctionImplementation {
  /** One `implement(Service, impl)` for every service in the declaration, and no other. */
  readonly services: readonly ServiceImplementation[];
  /** Plain HTTP routes (webhooks, JWKS) added to the function's Hono app. */
  readonly routes?: (app: Hono) => void;
  /**
   * Called when draining starts: end long-lived streams (tails, watches) now, with a code that
   * tells clients to reconnect, so they do not hold the drain until its bound. Default none.
   */
  readonly drain?: () => void | Promise<void>;
  /** Called on shutdown after in-flight requests finished, before pools close. */
  readonly close?: () => Promise<void>;
}

/** A service descriptor paired with its handlers; build with `implement`. */
export interface ServiceImplementation {
  readonly service: DescService;
  readonly implementation: Partial<ServiceImpl<DescService>>;
}

/** A function as the runtime loads it: the declaration, with defaults filled in. */
export type KineticFunction = FunctionDeclaration<Record<string, EnvVar<unknown>>> & {
  readonly visibility: "public" | "cluster-local";
  readonly scaling: Required<Omit<ScalingDeclaration, "windowSeconds">> & Pick<ScalingDeclaration, "windowSeconds">;
};

const nameRule = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * Declares a function. Validates the declaration eagerly, so a mistake fails at import time
 * (and in `npm test`), not when a manifest is applied.
 *
 * @example
 * export default defineFunction({
 *   name: "greeter",
 *   description: "says hello",
 *   services: [GreeterService],
 *   setup: () => ({ services: [implement(GreeterService, { greet: (req) => ({ text: `hi ${req.name}` }) })] }),
 * });
 */
export function defineFunction<E extends Record<string, EnvVar<unknown>> = Record<string, never>>(
  declaration: FunctionDeclaration<E>,
): KineticFunction {
  if (!nameRule.test(declaration.name)) {
    throw new TypeError(`function name "${declaration.name}" must be a DNS-1035 label: lower-case letters, digits and '-', starting with a letter`);
  }
  const names = declaration.services.map((s) => s.typeName);
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated !== undefined) throw new TypeError(`function "${declaration.name}" lists service ${repeated} twice`);
  for (const schema of declaration.publishes ?? []) eventTypeOf(schema);
  validateSubscriptions(declaration.subscriptions ?? []);
  if ((declaration.publishes?.length ?? 0) > 0 && !declaration.migrations) {
    throw new TypeError(`function "${declaration.name}" publishes events, which go through an outbox table: declare migrations (even an empty folder)`);
  }
  const scaling = { minScale: 0, maxScale: 10, target: 100, containerConcurrency: 0, ...declaration.scaling };
  if (scaling.minScale < 0 || scaling.maxScale < 1 || scaling.minScale > scaling.maxScale) {
    throw new TypeError(`function "${declaration.name}": scaling needs 0 <= minScale <= maxScale and maxScale >= 1`);
  }
  const window = scaling.windowSeconds;
  if (window !== undefined && !(Number.isInteger(window) && window >= 6 && window <= 3600)) {
    throw new TypeError(`function "${declaration.name}": scaling.windowSeconds must be a whole number of seconds from 6 to 3600 (Knative's bounds), got ${window}`);
  }
  return {
    ...declaration,
    visibility: declaration.visibility ?? "cluster-local",
    scaling,
  } as KineticFunction;
}

/**
 * Pairs a service with its handlers, type-checked against the generated descriptor.
 *
 * @example
 * implement(IdentityService, { getUser: async (req) => ({ user: await users.get(req.id) }) })
 */
export function implement<S extends DescService>(service: S, implementation: ServiceImpl<S>): ServiceImplementation {
  return { service, implementation: implementation as Partial<ServiceImpl<DescService>> };
}
