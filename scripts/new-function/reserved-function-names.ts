/**
 * Names a function cannot take, each with the reason. They are valid DNS-1035 labels that would
 * collide with something the platform already owns under the same name.
 */
export const reservedFunctionNames: ReadonlyMap<string, string> = new Map([
  ["registry", "the local registry's contract (kinetic.registry.v1) and KINETIC_REGISTRY_URL are named after it"],
  ["advertise", "KINETIC_<NAME>_URL would be KINETIC_ADVERTISE_URL, the runtime's own variable"],
  ["test-database-admin", "KINETIC_<NAME>_URL would be KINETIC_TEST_DATABASE_ADMIN_URL, the test helpers' variable"],
  ["echo", "the runtime's test function and its contract (kinetic.echo.v1) use it"],
  ["events", "the event options contract (kinetic.events.v1) uses it"],
  ["runtime", "its package would be @kinetic/runtime, the shared runtime's"],
  ["contracts", "its package would be @kinetic/contracts, the generated contracts'"],
  ["local-dev", "its package would be @kinetic/local-dev, the emulator's"],
  ["public", "Postgres reserves it as a schema name"],
  ["postgres", "Postgres reserves it as a role and schema name"],
  ["kubernetes", "the API server's Service in the default namespace has it"],
  ["queue-proxy", "Knative reserves it for its sidecar container, and a function's container takes its name"],
]);
