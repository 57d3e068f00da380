// The events benchmark's subscribing function: one subscription to UserCreated, delivered by
// the event dispatcher as a CloudEvent to `POST /`, deduplicated in its Postgres inbox
// (`kinetic_inbox`, in the transaction the handler runs in). The handler notes when it was
// entered; POST /handled answers the [event id, monotonic ms] pairs noted since the last call.
// Run it with the production launcher: node shared/dist/bin/serve.js bench/servers/event-subscriber.mjs
import { UserCreatedSchema } from "@kinetic/contracts/kinetic/identity/v1/events_pb.js";
import { defineFunction, on } from "@kinetic/runtime";
import { monotonicMs } from "../monotonic-ms.mjs";

const handled = [];

export default defineFunction({
  name: "bench-subscriber",
  description: "notes when each UserCreated event reaches its handler; benchmarks only",
  services: [],
  // No tables of its own (the folder does not exist): the inbox is the runtime's.
  migrations: new URL("./no-migrations/", import.meta.url),
  subscriptions: [
    on(UserCreatedSchema, async (_created, { event }) => {
      const at = monotonicMs();
      handled.push([event.id, at]);
    }),
  ],
  setup: () => ({
    services: [],
    routes: (app) => app.post("/handled", (c) => c.json(handled.splice(0))),
  }),
});
