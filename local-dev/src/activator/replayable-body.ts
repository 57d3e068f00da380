import type { Readable, Writable } from "node:stream";

/** A request body streamed to one instance after another, for as long as it may be sent again. */
export interface ReplayableBody {
  /** Writes what was kept, then streams the rest into `target`, with back-pressure. */
  attach(target: Writable): void;
  /** Stops streaming into the current target (it closed). */
  detach(): void;
  /** The response began: nothing more is kept. */
  settle(): void;
  /** True while everything read so far is kept, so the body can go to another instance. */
  readonly replayable: boolean;
}

/**
 * Streams a request body on while keeping references to its chunks, up to `limit` bytes, until
 * the response begins: a request an instance provably never processed (a stream beyond its
 * GOAWAY, or refused) then goes to another instance whole. Nothing waits for the body: chunks
 * are forwarded as they come; bodies over the limit are simply not retried.
 */
export function createReplayableBody(source: Readable, limit = 64 * 1024): ReplayableBody {
  const kept: Buffer[] = [];
  let size = 0;
  let keeping = true;
  let ended = false;
  let target: Writable | undefined;
  const onDrain = () => source.resume();
  source.pause();
  source.on("data", (chunk: Buffer) => {
    if (keeping) {
      kept.push(chunk);
      size += chunk.length;
      if (size > limit) {
        keeping = false;
        kept.length = 0;
      }
    }
    if (target !== undefined && !target.write(chunk)) source.pause();
  });
  source.once("end", () => {
    ended = true;
    target?.end();
  });
  return {
    get replayable() {
      return keeping;
    },
    attach(next) {
      target = next;
      for (const chunk of kept) next.write(chunk);
      if (ended) return void next.end();
      next.on("drain", onDrain);
      source.resume();
    },
    detach() {
      target?.off("drain", onDrain);
      target = undefined;
      source.pause();
    },
    settle() {
      keeping = false;
      kept.length = 0;
    },
  };
}
