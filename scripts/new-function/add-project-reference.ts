/**
 * Returns the root `tsconfig.build.json` text with a reference to `path` added after the last
 * `functions/` reference (before the first other one after them, so functions stay together),
 * keeping its comments and layout: the file is JSON with comments, which `JSON.parse` would
 * lose. Returns the text unchanged when the reference is already there.
 *
 * @example
 * withProjectReference(text, "functions/greeter/tsconfig.build.json")
 */
export function withProjectReference(text: string, path: string): string {
  const lines = text.split("\n");
  const reference = /^(\s*)\{\s*"path":\s*"([^"]+)"\s*\},?\s*$/;
  const references = lines.flatMap((line, index) => {
    const match = reference.exec(line);
    return match ? [{ index, indent: match[1]!, path: match[2]! }] : [];
  });
  if (references.some((r) => r.path === path)) return text;
  const anchor = references.filter((r) => r.path.startsWith("functions/")).at(-1) ?? references.at(-1);
  if (anchor === undefined) throw new Error('tsconfig.build.json has no "references" entry one per line to add the function after');
  const isLast = anchor === references.at(-1);
  const added = `${anchor.indent}{ "path": "${path}" }${isLast ? "" : ","}`;
  if (isLast) lines[anchor.index] = lines[anchor.index]!.replace(/\}\s*$/, "},");
  lines.splice(anchor.index + 1, 0, added);
  return lines.join("\n");
}
