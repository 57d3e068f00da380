import { defineFunction } from "@kinetic/runtime";
import { echoFunction } from "@kinetic/runtime/testing";

/** The echo function one request at a time (containerConcurrency 1) on one instance: the rest queue in the activator. */
export default defineFunction({ ...echoFunction, name: "serial-echo", scaling: { containerConcurrency: 1, maxScale: 1 } });
