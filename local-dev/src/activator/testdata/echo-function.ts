import { defineFunction } from "@kinetic/runtime";
import { echoFunction } from "@kinetic/runtime/testing";

/** The echo function plus `GET /headers`, which answers the request headers it received: what the activator forwards. */
export default defineFunction({
  ...echoFunction,
  setup: async (context) => ({
    ...(await echoFunction.setup(context)),
    routes: (app) => void app.get("/headers", (c) => c.json(c.req.header())),
  }),
});
