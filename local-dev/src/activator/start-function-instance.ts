import { spawn } from "node:child_process";
import * as http from "node:http";
import * as http2 from "node:http2";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";

/** Where an instance is in its life: only `ready` ones get requests. */
export type InstanceState = "starting" | "ready" | "draining" | "exited";

export interface FunctionInstanceOptions {
  /** Working directory of the process: the repository root. Required. */
  root: string;
  /** The function's module, relative to `root`. Required. */
  module: string;
  /** Instance number within its function, for logs. Required. */
  id: number;
  /** The process's whole environment; PORT is set to 0 on top of it. Required. */
  env: NodeJS.ProcessEnv;
  /** Receives each line the process prints, stdout and stderr. Required. */
  onLine: (line: string) => void;
  /** The instance is killed when it is not ready by then. Default 60000 ms. */
  startTimeoutMs?: number;
  /** The instance sent GOAWAY on the activator's HTTP/2 connection: it drains, or closed an idle connection. Default none. */
  onGoaway?: () => void;
}

/** How a process ended. */
export interface InstanceExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** One instance of a function: its own process, as Knative runs each pod. */
export interface FunctionInstance {
  readonly id: number;
  readonly pid: number;
  readonly state: InstanceState;
  /** Its own address once it serves (`http://127.0.0.1:<port>`). */
  readonly url: string | undefined;
  /** When it was spawned (`Date.now()`). */
  readonly startedAt: number;
  /** Resolves with the cold start (spawn to `/readyz` answering 200) in ms; rejects with why it never got ready. */
  readonly ready: Promise<number>;
  /** Resolves once the process has ended. */
  readonly exited: Promise<InstanceExit>;
  /** The exit, once it happened. */
  readonly exit: InstanceExit | undefined;
  /** Kept-alive HTTP/1.1 connections to the instance. */
  readonly agent: http.Agent;
  /**
   * The one HTTP/2 connection to the instance, connected. After a GOAWAY (idle timeout or
   * drain) the next call opens a new one; streams on the old one go on. Rejects when the
   * instance refuses connections.
   */
  session(): Promise<http2.ClientHttp2Session>;
  /** GET /readyz: false when it answers anything but 200 or not at all (draining, gone). */
  probe(): Promise<boolean>;
  /**
   * True when the instance never processed `stream`: the connection ended before the instance
   * sent its SETTINGS (its first frame; a draining instance closes connections it has not taken
   * up yet), the stream was refused (REFUSED_STREAM), or its id is above the last one the
   * instance's GOAWAY promised to finish (HTTP/2 §6.8). Such a request may go to another instance.
   */
  neverProcessed(session: http2.ClientHttp2Session, stream: http2.ClientHttp2Stream): boolean;
  /** Takes it out of routing without a signal: it is draining by itself. */
  retire(): void;
  /** SIGTERM: the runtime stops accepting, finishes what is in flight and exits. */
  terminate(): void;
  /** SIGKILL. */
  kill(): void;
}

/** The last stream id of the GOAWAY each connection received. */
const goawayLastStream = new WeakMap<http2.ClientHttp2Session, number>();
/** Connections on which the instance spoke (sent its SETTINGS). */
const heard = new WeakSet<http2.ClientHttp2Session>();

/** GET /readyz once, on a connection of its own. */
function probeReady(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(`${url}/readyz`, { agent: false, timeout: 2000, headers: { connection: "close" } }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.once("timeout", () => req.destroy());
    req.once("error", () => resolve(false));
  });
}

/**
 * Spawns `kinetic-serve <module>` from TypeScript sources on a port of the OS's choosing, reads
 * the port from its `serving` line and is ready once `/readyz` answers 200. The process gets
 * its own process group, so a Ctrl-C in the terminal reaches only the emulator, which then
 * drains every instance with one SIGTERM, as the kubelet does.
 *
 * @example
 * const instance = startFunctionInstance({ root, module: "functions/audit/src/index.ts", id: 1, env: process.env, onLine: console.log });
 * const coldStartMs = await instance.ready;
 */
export function startFunctionInstance({ root, module, id, env, onLine, startTimeoutMs = 60_000, onGoaway }: FunctionInstanceOptions): FunctionInstance {
  const startedAt = Date.now();
  const spawned = performance.now();
  const child = spawn(process.execPath, ["--conditions=kinetic-source", "--import", "tsx", "shared/src/bin/serve.ts", module], {
    cwd: root,
    env: { ...env, PORT: "0" },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    detached: true,
  });
  let state: InstanceState = "starting";
  let url: string | undefined;
  let exit: InstanceExit | undefined;
  const stderrTail: string[] = [];
  const agent = new http.Agent({ keepAlive: true, timeout: 30_000 });
  let current: { session: http2.ClientHttp2Session; connected: Promise<http2.ClientHttp2Session> } | undefined;

  const exited = new Promise<InstanceExit>((resolve) => {
    const end = (code: number | null, signal: NodeJS.Signals | null) => {
      if (exit) return;
      exit = { code, signal };
      state = "exited";
      current?.session.destroy();
      agent.destroy();
      resolve(exit);
    };
    child.once("exit", end);
    child.once("error", (err) => {
      stderrTail.push(err.message);
      end(null, null);
    });
  });
  const serving = new Promise<number>((resolve) => {
    // The runtime reports its port over IPC (whatever LOG_LEVEL is); the log line is the fallback.
    child.on("message", (message: { kinetic?: unknown; port?: unknown }) => {
      if (message?.kinetic === "serving" && typeof message.port === "number") resolve(message.port);
    });
    createInterface({ input: child.stdout! }).on("line", (line) => {
      if (url === undefined && line.includes('"msg":"serving"')) {
        const port = /"port":(\d+)/.exec(line)?.[1];
        if (port !== undefined) resolve(Number(port));
      }
      onLine(line);
    });
    createInterface({ input: child.stderr! }).on("line", (line) => {
      stderrTail.push(line);
      if (stderrTail.length > 5) stderrTail.shift();
      onLine(line);
    });
  });
  const notStarted = (what: string) => new Error(`${what}${stderrTail.length > 0 ? `: ${stderrTail.join(" | ")}` : ""}`);
  const stopped = exited.then(({ code, signal }) => {
    throw notStarted(`exited (${signal ?? `code ${code}`}) before it was ready`);
  });
  const ready = (async () => {
    const timer = sleep(startTimeoutMs, undefined, { ref: false }).then(() => {
      throw notStarted(`not ready after ${startTimeoutMs / 1000} s`);
    });
    const port = await Promise.race([serving, stopped, timer]);
    url = `http://127.0.0.1:${port}`;
    const until = Date.now() + startTimeoutMs;
    while (!(await Promise.race([probeReady(url), stopped]))) {
      if (Date.now() > until) throw notStarted(`/readyz did not answer 200 within ${startTimeoutMs / 1000} s`);
      await sleep(25);
    }
    if (state !== "starting") throw new Error("stopped before it was ready");
    state = "ready";
    return Math.round(performance.now() - spawned);
  })();
  ready.catch(() => {
    if (exit === undefined) child.kill("SIGKILL");
  });

  return {
    id,
    pid: child.pid ?? -1,
    get state() {
      return state;
    },
    get url() {
      return url;
    },
    startedAt,
    ready,
    exited,
    get exit() {
      return exit;
    },
    agent,
    session() {
      if (url === undefined || exit !== undefined) return Promise.reject(new Error(`instance ${id} is not running`));
      if (current && !current.session.closed && !current.session.destroyed) return current.connected;
      const session = http2.connect(url);
      const entry = {
        session,
        connected: new Promise<http2.ClientHttp2Session>((resolve, reject) => {
          session.once("connect", () => resolve(session));
          session.once("error", reject);
          session.once("close", () => reject(new Error("the connection closed before it was established")));
        }),
      };
      entry.connected.catch(() => {});
      session.on("error", () => {}); // each stream reports its own failure
      session.once("remoteSettings", () => heard.add(session));
      const forget = () => {
        if (current === entry) current = undefined;
      };
      session.once("goaway", (_code, lastStreamID) => {
        goawayLastStream.set(session, lastStreamID);
        forget();
        onGoaway?.();
      });
      session.once("close", forget);
      current = entry;
      return entry.connected;
    },
    neverProcessed(session, stream) {
      if (!heard.has(session) || stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM) return true;
      const last = goawayLastStream.get(session);
      return last !== undefined && stream.id !== undefined && stream.id > last;
    },
    probe() {
      return url === undefined || exit !== undefined ? Promise.resolve(false) : probeReady(url);
    },
    retire() {
      if (state === "starting" || state === "ready") state = "draining";
    },
    terminate() {
      if (exit !== undefined) return;
      state = "draining";
      child.kill("SIGTERM");
    },
    kill() {
      if (exit === undefined) child.kill("SIGKILL");
    },
  };
}
