// Starts the functions of a chain, each in its own `node` process on the server core, tail
// first: every process is told where the previous one listens and must pass its own probe
// (for a relay, an echo through everything behind it) before the next one starts.
import { startServer } from "./server-process.mjs";

/**
 * Starts `processes` ({ name, args, env, probe: { protocol, path }, upstream? } with `upstream`
 * the variable naming the previous process's URL) with `env` added to each. Resolves
 * `{ pids, ports, stop }`, `ports` by process name; rejects naming the process that failed,
 * after stopping those already started.
 */
export async function startChain({ processes, env = {}, cwd }) {
  const started = [];
  const stop = async () => {
    // Head first, so no process is called once the one behind it has gone.
    for (const server of started.toReversed()) await server.stop();
  };
  let upstreamUrl;
  for (const p of processes) {
    const link = p.upstream === undefined ? {} : { [p.upstream]: upstreamUrl };
    try {
      started.push(await startServer({ args: p.args, env: { ...env, ...p.env, ...link }, protocol: p.probe.protocol, path: p.probe.path, cwd }));
    } catch (error) {
      await stop();
      throw new Error(`${p.name}: ${error.message}`);
    }
    upstreamUrl = `http://127.0.0.1:${started.at(-1).port}`;
  }
  const ports = Object.fromEntries(processes.map((p, i) => [p.name, started[i].port]));
  return { pids: started.map((s) => s.pid), ports, stop };
}
