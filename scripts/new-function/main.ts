/**
 * `npm run new -- <name> [--description "…"]`: scaffolds a function in `functions/<name>/` with
 * its contract in `proto/kinetic/<name>/v1/`, then records the new workspace in the lockfile and
 * regenerates what is generated from the declarations. Exit code 2 on bad input (nothing is
 * written then), 1 when a later step fails.
 */
import { fileURLToPath } from "node:url";
import { createFunction, type CreatedFunction } from "./create-function.js";
import { linkWorkspace } from "./link-workspace.js";
import { nextSteps } from "./next-steps.js";
import { newFunctionUsage, parseNewFunctionArgs } from "./parse-new-function-args.js";
import { runCommand } from "./run-command.js";
import { UsageError } from "./usage-error.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

let created: CreatedFunction | undefined;
try {
  const args = parseNewFunctionArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(`${newFunctionUsage}\n`);
    process.exit(0);
  }
  created = createFunction({ root, name: args.name, description: args.description });
  process.stdout.write(`wrote ${created.created.join(", ")}; added ${created.naming.dir} to ${created.changed.join(", ")}\n`);
  await linkWorkspace(root, created.naming);
  await runCommand("npm", ["run", "gen"], root);
  process.stdout.write(nextSteps(created));
} catch (err) {
  if (err instanceof UsageError) {
    process.stderr.write(`npm run new: ${err.message}\n${newFunctionUsage}\n`);
    process.exit(2);
  }
  const written = created ? `\n${created.naming.dir} and its contract are written; fix the cause, then run \`npm run gen\`` : "";
  process.stderr.write(`npm run new: ${err instanceof Error ? err.message : String(err)}${written}\n`);
  process.exit(1);
}
