// The hop-latency measurement: starts each selected chain once and loads each of its routes at
// every rate, lowest first (a rate the chain cannot keep up with leaves a backlog behind). The
// echo chains run at `settings.rates`, auth → identity, far costlier, at `settings.authRates`.
// Import after the build: the chains' request bodies come from the compiled contracts.
import { authDeployment } from "./auth-chain.mjs";
import { hopDeployments } from "./chains.mjs";
import { measureAtFixedRate } from "./hop-latency.mjs";
import { loadAtFixedRate } from "./load-fixed-rate.mjs";
import { startOtlpSink, tracingEnv } from "./otlp-sink.mjs";
import { startChain } from "./start-chain.mjs";

const deployments = [...hopDeployments, authDeployment];

/** The routes `only` selects, with the routes they are compared against. */
function selectRoutes(only) {
  const routes = deployments.flatMap((d) => d.routes);
  const wanted = routes.filter((r) => only.length === 0 || only.some((s) => r.id.includes(s)));
  const bases = new Set(wanted.map((r) => r.base).filter(Boolean));
  return new Set(routes.filter((r) => wanted.includes(r) || bases.has(r.id)).map((r) => r.id));
}

/** Primes `route` of a running chain, then measures it at each of `rates`; resolves a row per rate. */
async function measureRoute({ route, port, pids, deployment, rates, settings, log, row }) {
  const rows = [];
  try {
    // V8 optimises code after enough calls, not enough seconds: every rate starts warm.
    if (settings.primeSeconds > 0) {
      log(`${route.label}: priming, ${deployment.primeRate} req/s for ${settings.primeSeconds} s`);
      await loadAtFixedRate({ url: `http://127.0.0.1:${port}`, ...route.request, rate: deployment.primeRate, warmupSeconds: settings.primeSeconds, durationSeconds: 0 });
    }
  } catch (error) {
    log(`  not available: ${error.message}`);
    return rates.map((rate) => row(route, rate, { status: "unavailable", reason: error.message.split("\n")[0] }));
  }
  for (const rate of rates) {
    log(`${route.label}${deployment.tracing ? ", tracing on" : ""}: ${rate} req/s, ${settings.chainWarmupSeconds} s warm-up + ${settings.durationSeconds} s`);
    try {
      const r = await measureAtFixedRate({ port, request: route.request, rate, pids, backingServices: deployment.backingServices, settings, log });
      if (r.saturated) log(`  saturated: fell 1 s behind, ${Math.round(r.answeredPerSecond)} answered/s until stopped; steal ${r.stealPercent.toFixed(0)}%`);
      else log(`  p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms; ${r.cpuMsPerRequest.toFixed(2)} ms CPU per request; steal ${r.stealPercent.toFixed(0)}%`);
      if (r.errors > 0) log(`  ${r.errors} errors, first: ${r.firstError}`);
      rows.push(row(route, rate, { status: "ok", ...r }));
    } catch (error) {
      log(`  not available: ${error.message}`);
      rows.push(row(route, rate, { status: "unavailable", reason: error.message.split("\n")[0] }));
    }
  }
  return rows;
}

/**
 * Measures every selected route at each of its rates. Resolves `{ rows, notes }`: one row per
 * route and rate, highest rate first, and what the runs depended on (database, Kafka).
 */
export async function measureChains({ settings, root, buildFailures, log, quiet }) {
  const selected = selectRoutes(settings.only);
  const chosen = deployments.filter((d) => d.routes.some((r) => selected.has(r.id)));
  const sink = chosen.some((d) => d.tracing) ? await startOtlpSink() : undefined;
  const rows = [];
  const notes = {};
  for (const deployment of chosen) {
    const routes = deployment.routes.filter((r) => selected.has(r.id));
    const rates = (deployment.kind === "auth" ? settings.authRates : settings.rates).toSorted((a, b) => a - b);
    const row = (route, rate, fields) => {
      const { id, label, hops, base } = route;
      return { id: `${id}@${rate}`, kind: deployment.kind, route: id, base, label, hops, tracing: deployment.tracing, rate, ...fields };
    };
    let setup;
    let running;
    try {
      const failure = deployment.needs.map((n) => buildFailures[n]).find(Boolean);
      if (failure) throw new Error(failure);
      await quiet();
      setup = await deployment.setup?.(process.env);
      Object.assign(notes, setup?.notes);
      const env = { ...setup?.env, ...(deployment.tracing ? tracingEnv(sink.url) : {}) };
      running = await startChain({ processes: deployment.processes, env, cwd: root });
      await deployment.prepare?.(running.ports);
      for (const route of routes) {
        const port = running.ports[route.entry ?? deployment.processes.at(-1).name];
        rows.push(...(await measureRoute({ route, port, pids: running.pids, deployment, rates, settings, log, row })));
      }
    } catch (error) {
      log(`${deployment.id}: not available: ${error.message}`);
      const measured = new Set(rows.map((r) => r.route));
      const missing = routes.filter((r) => !measured.has(r.id));
      rows.push(...missing.flatMap((r) => rates.map((rate) => row(r, rate, { status: "unavailable", reason: error.message }))));
    } finally {
      await running?.stop();
      await setup?.teardown();
    }
  }
  if (sink) {
    notes.tracing = `${sink.exports} OTLP exports (${Math.round(sink.bytes / 1024)} KiB) received by the sink`;
    await sink.close();
  }
  return { rows: rows.toSorted((a, b) => b.rate - a.rate), notes };
}
