import { context, type Context } from "@opentelemetry/api";

/**
 * Wraps a stream so each step runs inside `ctx` (a server-streaming handler's body runs as the
 * server pulls messages, outside the interceptor's own `context.with`) and `onEnd` runs once
 * when the stream is over: exhausted (no argument), failed (the error), or abandoned by its
 * reader through `return()` (no argument).
 */
export function tracedStream<T>(stream: AsyncIterable<T>, ctx: Context, onEnd: (error?: unknown) => void): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<T> {
      const it = context.with(ctx, () => stream[Symbol.asyncIterator]());
      let ended = false;
      const end = (error?: unknown) => {
        if (ended) return;
        ended = true;
        onEnd(error);
      };
      const step = async (run: () => Promise<IteratorResult<T>>): Promise<IteratorResult<T>> => {
        try {
          const result = await context.with(ctx, run);
          if (result.done) end();
          return result;
        } catch (err) {
          end(err);
          throw err;
        }
      };
      return {
        next: () => step(() => it.next()),
        return: (value?: unknown) => step(() => it.return?.(value) ?? Promise.resolve({ done: true, value })),
        throw: (err?: unknown) => step(() => it.throw?.(err) ?? Promise.reject(err)),
      };
    },
  };
}
