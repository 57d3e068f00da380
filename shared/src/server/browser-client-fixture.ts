import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { browserCalls, browserTransports, type CallName, type CallOutcome, type TransportName } from "./browser-calls-fixture.js";

/**
 * Test-only: the browser protocol matrix's page script (bundled by esbuild as the global
 * `kineticBrowserClient`). Runs one call over connect-web's `fetch` transports in the page.
 */
export function runBrowserCall(baseUrl: string, transport: TransportName, call: CallName): Promise<CallOutcome> {
  const { protocol, useBinaryFormat, useHttpGet } = browserTransports[transport];
  const client = protocol === "connect" ? createConnectTransport({ baseUrl, useBinaryFormat, useHttpGet }) : createGrpcWebTransport({ baseUrl, useBinaryFormat });
  return browserCalls[call].run(client);
}
