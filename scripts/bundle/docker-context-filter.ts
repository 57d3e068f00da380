/**
 * Reads a `.dockerignore` and answers which paths (relative, `/`-separated) end up in the build
 * context, with Docker's rules: `*` and `?` stop at `/`, `**` crosses directories, a pattern
 * matching a parent directory matches everything under it, `!` re-includes, and the last
 * matching pattern wins. Lets a test prove the context holds what the build reads, without a
 * Docker engine.
 *
 * @example
 * const inContext = dockerContextFilter(["*", "!shared", "shared/node_modules"].join("\n"));
 * inContext("shared/src/index.ts"); // true
 * inContext("shared/node_modules/x.js"); // false
 */
export function dockerContextFilter(dockerignore: string): (path: string) => boolean {
  const rules = dockerignore
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .map((line) => {
      const include = line.startsWith("!");
      const pattern = (include ? line.slice(1) : line).trim().replace(/^\/+/, "").replace(/\/+$/, "");
      return { include, pattern: patternToRegExp(pattern) };
    });
  return (path) => {
    const parts = path.split("/");
    const prefixes = parts.map((_, i) => parts.slice(0, i + 1).join("/"));
    let included = true;
    for (const { include, pattern } of rules) {
      if (prefixes.some((prefix) => pattern.test(prefix))) included = include;
    }
    return included;
  };
}

/** Internal: a dockerignore pattern as an anchored regular expression. */
function patternToRegExp(pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "*" && pattern[i + 1] === "*") {
      // `**/` matches zero or more directories; a trailing `**` anything at all.
      if (pattern[i + 2] === "/") {
        source += "(?:.*/)?";
        i += 2;
      } else {
        source += ".*";
        i += 1;
      }
    } else if (c === "*") source += "[^/]*";
    else if (c === "?") source += "[^/]";
    else source += c.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}
