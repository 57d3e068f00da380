import type { FunctionNaming } from "../function-naming.js";

/** The service's handlers, `src/<name>-service.ts`: one RPC backed by the function's Postgres schema. */
export function serviceFile(n: FunctionNaming): string {
  return `import type { ServiceImpl } from "@connectrpc/connect";
import { ${n.service} } from "${n.contractsImport}";
import { connectErrorFromPostgres } from "@kinetic/runtime";
import type { Sql } from "postgres";

/**
 * The ${n.service} handlers. Requests arrive already checked against the proto's buf.validate
 * rules (a violation is invalid_argument before a handler runs); Postgres failures become Connect
 * codes through connectErrorFromPostgres.
 */
export function create${n.service}(sql: Sql): ServiceImpl<typeof ${n.service}> {
  return {
    async sayHello(req) {
      const [row] = await sql<{ count: number }[]>\`
        insert into greetings (name, count) values (\${req.name}, 1)
        on conflict (name) do update set count = greetings.count + 1, update_time = now()
        returning count\`.catch((err: unknown) => Promise.reject(connectErrorFromPostgres(err)));
      return { message: \`Hello, \${req.name}!\`, count: row!.count };
    },
  };
}
`;
}
