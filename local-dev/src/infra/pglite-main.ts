/**
 * One embedded database in a process of its own, started by `startPgliteProcess`:
 *   node --import tsx local-dev/src/infra/pglite-main.ts init <template-dir>
 *   node --import tsx local-dev/src/infra/pglite-main.ts serve --data-dir D --schema S [--template T] [--port P]
 * `serve` prints `{"msg":"listening","port":N}` once it accepts connections, and closes the
 * database cleanly on SIGTERM or when its standard input ends, which is how it follows a parent
 * that died without stopping it. SIGINT (Ctrl-C in the terminal) is ignored: functions still
 * draining need their database until the parent stops it.
 */
import { parseArgs } from "node:util";
import { createPgliteTemplate } from "./create-pglite-template.js";
import { servePglite, type ServedPglite } from "./serve-pglite.js";

const say = (fields: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(fields)}\n`);
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { "data-dir": { type: "string" }, schema: { type: "string" }, template: { type: "string" }, port: { type: "string" } },
});

try {
  if (positionals[0] === "init" && positionals[1]) {
    await createPgliteTemplate(positionals[1]);
    say({ msg: "initialised", dir: positionals[1] });
  } else if (positionals[0] === "serve" && values["data-dir"] && values.schema) {
    const served = await servePglite({
      dataDir: values["data-dir"],
      schema: values.schema,
      template: values.template,
      port: Number(values.port ?? 0),
    });
    say({ msg: "listening", port: served.port, pid: process.pid });
    followParent(served);
  } else {
    throw new Error("usage: pglite-main.ts init <dir> | serve --data-dir <dir> --schema <name> [--template <dir>] [--port <n>]");
  }
} catch (err) {
  say({ msg: "failed", error: err instanceof Error ? err.message : String(err) });
  process.exit(1);
}

function followParent(served: ServedPglite): void {
  let closing = false;
  const stop = () => {
    if (closing) return;
    closing = true;
    void served.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", () => undefined);
  process.stdin.on("end", stop).on("error", stop).resume();
}
