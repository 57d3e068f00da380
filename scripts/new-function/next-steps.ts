import type { CreatedFunction } from "./create-function.js";

/** The closing message: what was made, and what to do next with it. */
export function nextSteps({ naming: n, created, changed }: CreatedFunction): string {
  const service = created.find((path) => path.endsWith("-service.ts"))!;
  const test = created.find((path) => path.endsWith(".test.ts"))!;
  const steps: [string, string][] = [
    [`node scripts/test.mjs ${n.dir}/`, "run its test (real Postgres)"],
    ["npm run dev", "serve it with the others; its URL is in the ready table"],
    [n.protoPath, "the contract: replace SayHello, then `npm run gen`"],
    [service, "the handlers"],
    [`${n.dir}/src/index.ts`, "the declaration: events, subscriptions, redis, env, scaling"],
    [test, "the test, over the wire against the running function"],
    ["docs/writing-a-function.md", "the walkthrough"],
  ];
  const width = Math.max(...steps.map(([what]) => what.length));
  return [
    "",
    `created ${n.name}:`,
    ...created.map((path) => `  ${path}`),
    `changed ${changed.join(", ")}; regenerated proto/gen (npm run gen); package-lock.json lists ${n.packageName}`,
    "",
    "next steps:",
    ...steps.map(([what, why]) => `  ${what.padEnd(width)}  ${why}`),
    `commit it all, generated code and lockfile included, and add ${n.name} to README.md's table of functions.`,
    "",
  ].join("\n");
}
