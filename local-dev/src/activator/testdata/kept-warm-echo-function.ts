import { defineFunction } from "@kinetic/runtime";
import { echoFunction } from "@kinetic/runtime/testing";

/** The echo function kept warm (minScale 1) on exactly one instance taking one request at a time. */
export default defineFunction({ ...echoFunction, name: "kept-warm-echo", scaling: { minScale: 1, maxScale: 1, containerConcurrency: 1 } });
