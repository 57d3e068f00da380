import { readFileSync } from "node:fs";
import { SourceMap } from "node:module";

/**
 * Makes stack traces through `file` name the TypeScript sources, as `node --enable-source-maps`
 * does, but reads the source map `mapFile` only when a stack is first formatted: Node's flag
 * parses the whole map while loading the bundle (~40 ms of every cold start). Other frames,
 * and all of them when the map cannot be read, are printed as V8 prints them. Part of the
 * bundle's loader (`load-bundle.ts`).
 *
 * @example
 * mapStackTraces("/app/function.cjs", "/app/function.cjs.map");
 */
export function mapStackTraces(file: string, mapFile: string): void {
  let map: SourceMap | null | undefined;
  const sourceMap = () => {
    if (map === undefined) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(mapFile, "utf8")));
      } catch {
        map = null;
      }
    }
    return map;
  };
  Error.prepareStackTrace = function formatStack(error: Error, frames: NodeJS.CallSite[]): string {
    const lines = frames.map((frame) => `\n    at ${mappedFrame(frame, file, sourceMap)}`);
    return `${errorHeader(error)}${lines.join("")}`;
  };
}

/** Internal: `frame` as V8 prints it, its position in `file` replaced by the original one. */
function mappedFrame(frame: NodeJS.CallSite, file: string, sourceMap: () => SourceMap | null): string {
  const text = frame.toString();
  const line = frame.getLineNumber();
  const column = frame.getColumnNumber();
  if (frame.getFileName() !== file || line === null || column === null) return text;
  const entry = sourceMap()?.findEntry(line - 1, column - 1);
  if (entry === undefined || !("originalSource" in entry)) return text;
  const original = `${entry.originalSource.replace(/^file:\/\//, "")}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  return text.replace(`${file}:${line}:${column}`, original);
}

/** Internal: the first line of a stack, as V8 writes it (`Error.prototype.toString`). */
function errorHeader(error: Error): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return "Error";
  }
}
