// The events benchmark's publishing function: each event is written through the runtime's
// transactional outbox (`events.publish(tx, …)` inside its own Postgres transaction, as
// identity's CreateUser does) and relayed to Kafka by the runtime's outbox relay.
// POST /publish { count, rate, concurrency } runs the publish loop and answers its records,
// each timed from its due time to the commit. Run it with the production launcher:
// node shared/dist/bin/serve.js bench/servers/event-publisher.mjs
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { UserCreatedSchema } from "@kinetic/contracts/kinetic/identity/v1/events_pb.js";
import { defineFunction } from "@kinetic/runtime";
import { benchUser } from "../bench-user.mjs";
import { runPublishLoop } from "../publish-loop.mjs";

export default defineFunction({
  name: "bench-publisher",
  description: "publishes UserCreated events through the outbox on request; benchmarks only",
  services: [],
  // No tables of its own (the folder does not exist): the outbox is the runtime's.
  migrations: new URL("./no-migrations/", import.meta.url),
  publishes: [UserCreatedSchema],
  setup: ({ sql, events }) => {
    /** Publishes UserCreated number `index` in its own transaction; resolves the event id once committed. */
    const publish = (index) => {
      const { createTime, ...user } = benchUser(index);
      const time = timestampFromDate(createTime);
      return sql.begin((tx) => events.publish(tx, UserCreatedSchema, { user: { ...user, createTime: time, updateTime: time } }, { subject: user.id }));
    };
    return {
      services: [],
      routes: (app) => app.post("/publish", async (c) => c.json(await runPublishLoop({ ...(await c.req.json()), publish }))),
    };
  },
});
