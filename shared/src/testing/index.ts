export { echoFunction } from "./echo-function.js";
export { startFunction } from "./start-function.js";
export type { StartedFunction } from "./start-function.js";
export { createTestDatabase } from "./use-database.js";
export { closedPortUrl, startBlackHole, startFakeServer } from "./start-fake-server.js";
export type { FakeServer } from "./start-fake-server.js";
export { waitFor } from "./wait-for.js";
export { spawnFunction } from "./spawn-function.js";
export type { SpawnedFunction } from "./spawn-function.js";
