import { defineFunction } from "@kinetic/runtime";
import { echoFunction } from "@kinetic/runtime/testing";

/** The echo function scaled on a concurrency target of 2 requests per instance, up to 3 instances. */
export default defineFunction({ ...echoFunction, name: "scaled-echo", scaling: { target: 2, maxScale: 3 } });
