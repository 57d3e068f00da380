import type { Attributes } from "@opentelemetry/api";

/**
 * Quoted identifiers and comments (kept), then the literals replaced by `?`: E'…' and '…'
 * strings, dollar-quoted bodies, numbers not part of a name or a `$1` placeholder.
 */
const tokens = /"(?:[^"]|"")*"|--[^\n]*|\/\*[\s\S]*?\*\/|(?<!\w)[eE]'(?:[^'\\]|\\[\s\S]|'')*'|'(?:[^']|'')*'|\$([A-Za-z_]\w*)?\$[\s\S]*?\$\1\$|(?<![\w$.])\d+(?:\.\d*)?(?:[eE][+-]?\d+)?\b/g;
const firstKeyword = /^(?:\s+|--[^\n]*|\/\*[\s\S]*?\*\/|\()*([A-Za-z]+)/;

/**
 * The `db.query.text` and `db.operation` attributes of a SQL statement. The text never carries
 * values: postgres.js sends parameters separately (`$1`, `$2`), and literals a statement spells
 * out (`sql.unsafe("… where email = 'a@b.c'")`) become `?`, as the database conventions ask of
 * non-parameterized queries. The operation is the first keyword, upper-cased (SELECT, WITH…).
 * Both the current (`db.operation.name`) and the older (`db.operation`) names are set.
 *
 * @example
 * sqlAttributesFromText("select * from users where id = $1 and plan = 'pro'");
 * // { "db.query.text": "select * from users where id = $1 and plan = ?", "db.operation.name": "SELECT", "db.operation": "SELECT" }
 */
export function sqlAttributesFromText(text: string): Attributes {
  const sanitized = text.replace(tokens, (token) => (token.startsWith('"') || token.startsWith("--") || token.startsWith("/*") ? token : "?"));
  const operation = firstKeyword.exec(text)?.[1]?.toUpperCase();
  return {
    "db.query.text": sanitized.trim(),
    ...(operation ? { "db.operation.name": operation, "db.operation": operation } : {}),
  };
}
