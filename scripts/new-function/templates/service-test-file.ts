import type { FunctionNaming } from "../function-naming.js";

/**
 * The function's test, `src/<name>-service.test.ts`: serves the declaration in-process on a
 * throw-away database and calls it over the wire with a Connect client.
 */
export function serviceTestFile(n: FunctionNaming): string {
  return `import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Code, createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import { ${n.service} } from "${n.contractsImport}";
import { rejectsWith, startFunction, useDatabase, type StartedFunction } from "@kinetic/runtime/testing";
import ${n.camel} from "./index.js";

describe("${n.name}", () => {
  let server: StartedFunction | undefined;
  let client: Client<typeof ${n.service}>;
  // Registered before useDatabase's hooks, so the function closes before its database is dropped.
  after(() => server?.close());
  const db = useDatabase();

  async function start() {
    await server?.close();
    server = await startFunction(${n.camel}, { DATABASE_URL: db.url });
    client = createClient(${n.service}, createConnectTransport({ baseUrl: server.url, httpVersion: "1.1" }));
  }
  before(start);

  it("should greet a name and count each name's greetings", async () => {
    const first = await client.sayHello({ name: "Ada" });
    assert.equal(first.message, "Hello, Ada!");
    assert.equal(first.count, 1);
    assert.equal((await client.sayHello({ name: "Ada" })).count, 2);
    assert.equal((await client.sayHello({ name: "Grace" })).count, 1);
  });

  it("should keep the counts in Postgres, across a restart", async () => {
    const earlier = (await client.sayHello({ name: "Linus" })).count;
    await start();
    assert.equal((await client.sayHello({ name: "Linus" })).count, earlier + 1);
  });

  it("should reject a request breaking the proto's rules with invalid_argument naming the field", async () => {
    await assert.rejects(client.sayHello({ name: "" }), rejectsWith(Code.InvalidArgument, /name/));
    await assert.rejects(client.sayHello({ name: "x".repeat(101) }), rejectsWith(Code.InvalidArgument, /name.*max_len/));
  });
});
`;
}
