/** One Dockerfile instruction, continuation lines joined. */
export interface DockerInstruction {
  /** Upper case: FROM, RUN, COPY… */
  readonly keyword: string;
  /** Leading `--name=value` flags (`--parents` alone reads as "true"). */
  readonly flags: Readonly<Record<string, string>>;
  /** Exec form (JSON array) parsed as is; otherwise the rest split on whitespace. */
  readonly args: readonly string[];
  /** True when the arguments were a JSON array (exec form). */
  readonly execForm: boolean;
}

/** A build stage: its FROM and what follows it up to the next FROM. */
export interface DockerStage {
  /** The base image with global ARG defaults substituted: `node:20.20.2-bookworm-slim`. */
  readonly image: string;
  /** The `AS` name, if any. */
  readonly name: string | undefined;
  readonly instructions: readonly DockerInstruction[];
}

export interface ParsedDockerfile {
  /** The `# syntax=` parser directive, if any. */
  readonly syntax: string | undefined;
  /** ARGs declared before the first FROM, with their defaults. */
  readonly globalArgs: Readonly<Record<string, string | undefined>>;
  readonly stages: readonly DockerStage[];
}

/**
 * Parses a Dockerfile enough to check its invariants without a Docker engine: parser
 * directive, comments, `\` continuations, flags, exec form and global ARG substitution in FROM,
 * as the Dockerfile reference describes them. Not a builder: heredocs and a changed escape
 * character are not supported (and not used here).
 */
export function parseDockerfile(text: string): ParsedDockerfile {
  const syntax = /^#\s*syntax\s*=\s*(\S+)/i.exec(text)?.[1];
  const lines = text.split("\n").filter((line) => !/^\s*#/.test(line));
  const joined = lines.join("\n").replace(/\\\n/g, " ");
  const globalArgs: Record<string, string | undefined> = {};
  const stages: { image: string; name: string | undefined; instructions: DockerInstruction[] }[] = [];
  for (const line of joined.split("\n").map((l) => l.trim()).filter(Boolean)) {
    const instruction = parseInstruction(line);
    if (instruction.keyword === "FROM") {
      const [image = "", as, name] = instruction.args;
      const substituted = image.replace(/\$\{?(\w+)\}?/g, (_, arg: string) => globalArgs[arg] ?? "");
      stages.push({ image: substituted, name: as?.toUpperCase() === "AS" ? name : undefined, instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === "ARG") {
      for (const arg of instruction.args) {
        const [name = "", value] = arg.split(/=(.*)/s);
        globalArgs[name] = value;
      }
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { syntax, globalArgs, stages };
}

/** Internal: one logical line. */
function parseInstruction(line: string): DockerInstruction {
  const [keyword = "", rest = ""] = line.split(/\s+(.*)/s);
  const flags: Record<string, string> = {};
  let remaining = rest.trim();
  for (let flag = /^--([\w-]+)(?:=(\S*))?\s*/.exec(remaining); flag; flag = /^--([\w-]+)(?:=(\S*))?\s*/.exec(remaining)) {
    flags[flag[1]!] = flag[2] ?? "true";
    remaining = remaining.slice(flag[0].length);
  }
  if (remaining.startsWith("[")) {
    try {
      return { keyword: keyword.toUpperCase(), flags, args: JSON.parse(remaining) as string[], execForm: true };
    } catch {
      // Not valid JSON: Docker then runs it in shell form, and so do we.
    }
  }
  return { keyword: keyword.toUpperCase(), flags, args: remaining.split(/\s+/).filter(Boolean), execForm: false };
}
