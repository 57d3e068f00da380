export { defineFunction, implement } from "./function/define-function.js";
export type {
  FunctionContext,
  FunctionDeclaration,
  FunctionImplementation,
  KineticFunction,
  ScalingDeclaration,
  ServiceImplementation,
} from "./function/define-function.js";
export { EnvError, enumVar, integerVar, optionalStringVar, readEnv, stringVar, urlVar } from "./config/env-var.js";
export type { EnvVar, EnvValues } from "./config/env-var.js";
export { readRuntimeConfig, runtimeEnv } from "./config/runtime-config.js";
export type { RuntimeConfig } from "./config/runtime-config.js";
export { createLogger } from "./log/logger.js";
export type { Logger, LoggerOptions, LogLevel } from "./log/logger.js";
export { serveFunction } from "./server/serve-function.js";
export type { RunningFunction, ServeFunctionOptions } from "./server/serve-function.js";
export { runFunction } from "./server/run-function.js";
export { connectErrorFromPostgres } from "./data/connect-error-from-postgres.js";
export { createClientFactory } from "./client/client-factory.js";
export { createClient } from "./client/create-client.js";
export type { ClientFactory, ClientFactoryOptions } from "./client/client-factory.js";
export { callerHeader, inboundCall, subjectHeader, trackInboundCalls, withSubject } from "./client/inbound-call.js";
export type { InboundCall } from "./client/inbound-call.js";
export type { RetryOptions } from "./client/retry-interceptor.js";
export type { RetryBudgetOptions } from "./client/retry-budget.js";
export type { CircuitBreakerOptions } from "./client/circuit-breaker-interceptor.js";
export type { ClientProtocol } from "./client/transport-pool.js";
export { createRegistry } from "./registry/registry.js";
export type { Registry, RegistryStrategy } from "./registry/registry.js";
export { envOverrideStrategy, overrideVariableOf } from "./registry/env-override-strategy.js";
export { kubernetesDnsStrategy } from "./registry/kubernetes-dns-strategy.js";
export { localRegistryStrategy } from "./registry/local-registry-strategy.js";
export { registryFromEnv } from "./registry/registry-from-env.js";
export { createEventPublisher } from "./events/create-event-publisher.js";
export type { EventPublisher, PublishOptions, EventEncoding } from "./events/create-event-publisher.js";
export { eventTypeOf } from "./events/event-type-of.js";
export type { CloudEvent } from "./events/cloud-event.js";
export { connectErrorFromKafka } from "./events/connect-error-from-kafka.js";
export { connectErrorFromRedis } from "./redis/connect-error-from-redis.js";
export { openFunctionRedis } from "./redis/open-function-redis.js";
export type { FunctionRedis, OpenFunctionRedisOptions } from "./redis/open-function-redis.js";
export { createCache } from "./redis/create-cache.js";
export type { Cache, CacheOptions } from "./redis/create-cache.js";
export { on, onKafkaRecord, kafkaRecordEventType } from "./events/subscription.js";
export type { Subscription, SubscriptionOptions, DeliveryOptions } from "./events/subscription.js";
export { reply } from "./events/event-reply.js";
export type { EventReply } from "./events/event-reply.js";
export type { EventHandler, EventContext } from "./events/event-context.js";
export type { EventFilter } from "./events/event-filter.js";
export { cloudEventFromHttp } from "./events/cloud-event-from-http.js";
export { cloudEventToHttp } from "./events/cloud-event-to-http.js";
export { eventMatchesFilters } from "./events/event-filter.js";
