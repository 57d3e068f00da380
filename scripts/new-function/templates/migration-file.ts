import type { FunctionNaming } from "../function-naming.js";

/** The first migration: the table SayHello counts in, in the function's own schema. */
export function migrationFile(n: FunctionNaming): string {
  return `-- Greetings of the ${n.name} function, one row per name. Migrations run in order at start, once
-- each, in the function's own schema; never edit one that has been applied: add 0002_<what>.sql.
create table greetings (
  name text primary key,
  count integer not null,
  update_time timestamptz not null default now()
);
`;
}
