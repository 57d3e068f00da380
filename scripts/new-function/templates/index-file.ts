import type { FunctionNaming } from "../function-naming.js";

/** The function's declaration, `src/index.ts`: its only entry point. */
export function indexFile(n: FunctionNaming, description: string): string {
  return `import { ${n.service} } from "${n.contractsImport}";
import { defineFunction, implement } from "@kinetic/runtime";
import { create${n.service} } from "./${n.name}-service.js";

/** ${n.name}: ${description}. The only entry point of the function. */
export default defineFunction({
  name: "${n.name}",
  description: ${JSON.stringify(description)},
  services: [${n.service}],
  migrations: new URL("../migrations/", import.meta.url),
  // More to declare (publishes, subscriptions, redis, env, scaling): docs/writing-a-function.md
  setup({ sql }) {
    return { services: [implement(${n.service}, create${n.service}(sql!))] };
  },
});
`;
}
