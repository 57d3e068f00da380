export { echoFunction } from "./echo-function.js";
export { startFunction } from "./start-function.js";
export type { StartedFunction } from "./start-function.js";
export { createTestDatabase } from "./use-database.js";
