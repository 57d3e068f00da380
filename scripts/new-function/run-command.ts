import { spawn } from "node:child_process";

/**
 * Runs a command in `cwd` with the terminal's output, first printing it as `$ command args`,
 * so a user sees and can repeat every step. Rejects with the command and its exit status.
 */
export function runCommand(command: string, args: readonly string[], cwd: string): Promise<void> {
  const line = [command, ...args].join(" ");
  process.stdout.write(`$ ${line}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: "inherit" });
    child.once("error", (err) => reject(new Error(`${line}: ${err.message}`)));
    child.once("exit", (code, signal) => (code === 0 ? resolve() : reject(new Error(`\`${line}\` failed (${signal ?? `exit ${code}`})`))));
  });
}
