// The emulator (`npm run dev`'s startDevPlatform: infrastructure found or started, local
// registry, activator, event dispatcher) as the emulator benchmark runs it: from TypeScript
// sources, so start it with `node --conditions=kinetic-source --import tsx`, on ports the OS
// picks, with the benchmark's functions and idle window. Its control port (PORT) answers
// POST /ready, /info (addresses, consumer groups, the variables instances get) and /status
// (the activator's status); SIGTERM closes the platform, draining every instance.
// Environment: BENCH_PLATFORM, JSON { functions?: modules (default every function),
// idleSeconds, triggerSuffix?: Triggers of knative/base/eventing renamed with it (default
// none) }; everything else, DATABASE_URL and KAFKA_BROKERS included, is the platform's env.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startDevPlatform } from "../../local-dev/src/dev/start-dev-platform.ts";
import { loadEventingManifests } from "../../local-dev/src/eventing/load-eventing-manifests.ts";
import { onSignal, serveControl } from "./control-server.mjs";

const root = fileURLToPath(new URL("../../", import.meta.url));
const { functions, idleSeconds, triggerSuffix } = JSON.parse(process.env.BENCH_PLATFORM ?? "{}");
const { PORT: _control, BENCH_PLATFORM: _config, ...env } = process.env;

// Trigger names are consumer groups: ones of this run's own, so no other run shares them.
const triggers =
  triggerSuffix === undefined
    ? []
    : loadEventingManifests(join(root, "knative/base/eventing")).triggers.map((t) => ({ ...t, metadata: { ...t.metadata, name: `${t.metadata.name}-${triggerSuffix}` } }));

// The console's lines stay here (the last few, for /lines): relaying every request's log line
// would cost the harness CPU on the load generator's core. State changes go to stderr.
const lines = [];
const out = {
  write(text) {
    for (const line of text.split("\n").filter(Boolean)) {
      lines.push(line);
      if (lines.length > 200) lines.shift();
      if (line.startsWith("kinetic dev: ")) process.stderr.write(`${line}\n`);
    }
  },
};

const platform = await startDevPlatform({ root, ...(functions ? { functions } : {}), env, port: 0, basePort: 0, idleSeconds, triggers, out, live: false });
const names = platform.status().functions.map((f) => f.name);
const server = await serveControl({
  "/info": async () => ({
    url: platform.url,
    functions: Object.fromEntries(names.map((name) => [name, platform.urlOf(name)])),
    groups: triggers.map((t) => `kinetic-trigger-${t.metadata.name}`),
    instanceEnv: { ...platform.infrastructure.env, KINETIC_REGISTRY_URL: platform.registry.url },
  }),
  "/status": async () => platform.status(),
  "/lines": async () => lines,
});
onSignal(async () => {
  server.close();
  await platform.close();
});
