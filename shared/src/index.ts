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
