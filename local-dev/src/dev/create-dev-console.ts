import { describeActivatorEvent, type ActivatorEvent } from "../activator/activator-event.js";
import type { ActivatorStatus } from "../activator/activator-status.js";
import { renderStatusTable } from "./render-status-table.js";

/** Where the console writes: a terminal (`isTTY`, `columns`) or anything else. */
export interface ConsoleOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface DevConsoleOptions {
  /** Default `process.stdout`. */
  out?: ConsoleOutput;
  /** Keep a live table at the bottom (a terminal), else print one line per state change. Default `out.isTTY`. */
  live?: boolean;
  /** How often the live table is redrawn. Default 500 ms. */
  redrawMs?: number;
}

/** `npm run dev`'s output. */
export interface DevConsole {
  /** A line of the emulator's own, "kinetic dev: " first. */
  info(line: string): void;
  /** A line a process printed, prefixed with its name and instance number: `identity#1 │ …`. */
  processLine(name: string, instance: number | undefined, line: string): void;
  /** A change of the platform's state: one line unless live (the table shows it). */
  event(event: ActivatorEvent): void;
  /** Draws `status` as a table kept at the bottom and redrawn (live only). */
  showTable(status: () => ActivatorStatus): void;
  /** Stops redrawing; the last table stays on screen. */
  close(): void;
}

/**
 * The console: progress and function logs scroll; on a terminal a live table of the functions
 * (address, instances ready/starting, last cold start, requests, errors) stays below them,
 * redrawn in place; elsewhere (CI, tests, a pipe) each state change is one plain line, such as
 * `kinetic dev: identity scaled 0 → 1 (cold start 1234 ms)`.
 */
export function createDevConsole({ out = process.stdout, live = out.isTTY === true, redrawMs = 500 }: DevConsoleOptions = {}): DevConsole {
  let table: (() => ActivatorStatus) | undefined;
  let shown = ""; // the table on screen, redrawn only when it changed
  let timer: NodeJS.Timeout | undefined;
  const erase = () => (shown === "" ? "" : `\x1b[${shown.split("\n").length - 1}F\x1b[J`);
  const render = () => (table ? `\n${renderStatusTable(table(), Math.max(40, (out.columns || 160) - 1)).join("\n")}\n` : ""); // a pty without a size says 0
  /** Writes scrolling text above the table, in one write so the terminal never shows half of it. */
  const write = (text: string) => {
    if (!live || !table) return void out.write(text);
    const next = render();
    out.write(erase() + text + next);
    shown = next;
  };
  const prefixWidth = 12;
  return {
    info: (line) => write(`kinetic dev: ${line}\n`),
    processLine(name, instance, line) {
      const label = instance === undefined ? name : `${name}#${instance}`;
      write(`${label.padEnd(prefixWidth)}│ ${line}\n`);
    },
    event(event) {
      if (!live) write(`kinetic dev: ${describeActivatorEvent(event)}\n`);
    },
    showTable(status) {
      if (!live) return;
      table = status;
      write("");
      timer = setInterval(() => {
        if (render() !== shown) write("");
      }, redrawMs);
      timer.unref();
    },
    close() {
      clearInterval(timer);
      table = undefined;
    },
  };
}
