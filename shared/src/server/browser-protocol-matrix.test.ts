import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { build } from "esbuild";
import { chromium, type Browser, type Page } from "playwright-core";
import { defineFunction, type KineticFunction } from "../function/define-function.js";
import { startFunction, type StartedFunction } from "../testing/start-function.js";
import { browserCalls, browserTransports, type CallName, type CallOutcome, type TransportName, type TransportSpec } from "./browser-calls-fixture.js";
import type * as BrowserClient from "./browser-client-fixture.js";
import { differentialFunction } from "./fast-path-fixture.js";

const chromiumPath = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";
const missing = existsSync(chromiumPath) ? undefined : `no Chromium at ${chromiumPath}: apt-get install -y chromium, or set CHROMIUM_PATH`;
// Skipped on a laptop without Chromium; CI must have it (.ci/run installs it), so there it fails.
const skip = missing !== undefined && !process.env["CI"] ? missing : false;

/** The page script: connect-web and the calls, as one classic script. */
async function bundleBrowserClient(): Promise<string> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL("./browser-client-fixture.ts", import.meta.url))],
    bundle: true,
    format: "iife",
    globalName: "kineticBrowserClient",
    platform: "browser",
    target: "chrome120",
    conditions: ["kinetic-source"],
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

/** `differentialFunction` with a same-origin page (no CORS) that loads the client script. */
function browserMatrixFunction(script: string): KineticFunction {
  return defineFunction({
    ...differentialFunction,
    name: "browser-matrix",
    setup: async (ctx) => ({
      ...(await differentialFunction.setup(ctx)),
      routes: (app) => {
        app.get("/browser-matrix", (c) => c.html('<!doctype html><meta charset="utf-8"><title>matrix</title><script src="/browser-matrix/client.js"></script>'));
        app.get("/browser-matrix/client.js", (c) => c.body(script, 200, { "content-type": "text/javascript; charset=utf-8" }));
      },
    }),
  });
}

function nodeTransport({ protocol, useBinaryFormat, useHttpGet }: TransportSpec, baseUrl: string) {
  // HTTP/1.1, as a browser speaks to a cleartext origin.
  return protocol === "connect"
    ? createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat, useHttpGet })
    : createGrpcWebTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat });
}

function runInPage(page: Page, baseUrl: string, transport: TransportName, call: CallName): Promise<CallOutcome> {
  return page.evaluate(
    ([u, t, c]) => (globalThis as unknown as { kineticBrowserClient: typeof BrowserClient }).kineticBrowserClient.runBrowserCall(u, t, c),
    [baseUrl, transport, call] as const,
  );
}

describe("protocol matrix (connect-web in Chromium)", { skip }, () => {
  const modes = ["on", "off"] as const;
  let browser: Browser | undefined;
  const servers: Partial<Record<(typeof modes)[number], StartedFunction>> = {};
  const pages: Partial<Record<(typeof modes)[number], Page>> = {};
  const pageErrors: string[] = [];

  before(async () => {
    if (missing) throw new Error(`${missing}; CI installs it in .ci/run`);
    const fn = browserMatrixFunction(await bundleBrowserClient());
    // Kept as each is ready, so that `after` closes what started even when something else failed.
    const launching = chromium
      .launch({
        executablePath: chromiumPath,
        // A closed network: no background requests, no QUIC, no first-run work. Playwright adds
        // --headless and a fresh --user-data-dir of its own.
        args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
      })
      .then((b) => (browser = b));
    await Promise.all([launching, ...modes.map(async (mode) => (servers[mode] = await startFunction(fn, { KINETIC_FAST_PATH: mode })))]);
    for (const mode of modes) {
      const page = (pages[mode] = await browser!.newPage());
      page.on("pageerror", (err) => pageErrors.push(`fast path ${mode}: ${err.message}`));
      await page.goto(`${servers[mode]!.url}/browser-matrix`);
    }
  });

  after(async () => {
    await browser?.close();
    await Promise.all(Object.values(servers).map((server) => server.close()));
    assert.deepEqual(pageErrors, [], "the page threw");
  });

  for (const fastPath of modes) {
    for (const [transport, spec] of Object.entries(browserTransports) as [TransportName, TransportSpec][]) {
      describe(`${transport}, fast path ${fastPath}`, () => {
        for (const [name, call] of Object.entries(browserCalls) as [CallName, (typeof browserCalls)[CallName]][]) {
          it(`should ${name}, as from Node`, { timeout: 5_000 }, async () => {
            const url = servers[fastPath]!.url;
            const [inBrowser, inNode] = await Promise.all([runInPage(pages[fastPath]!, url, transport, name), call.run(nodeTransport(spec, url))]);
            assert.deepEqual(inBrowser, call.expected(spec, fastPath === "on"));
            assert.deepEqual(inNode, inBrowser, "connect-node got another answer than connect-web");
          });
        }
      });
    }
  }
});
