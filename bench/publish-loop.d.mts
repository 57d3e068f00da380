// Types of publish-loop.mjs, for the TypeScript tests.

/** One publish: its id once done, or the error it failed with; monotonic milliseconds. */
export interface PublishRecord {
  readonly id?: string;
  readonly error?: string;
  readonly dueMs: number;
  readonly startMs: number;
  readonly doneMs?: number;
  readonly doneWallMs?: number;
}

export interface PublishLoopOptions {
  readonly count: number;
  /** Events per second, open loop; 0 for a burst. */
  readonly rate: number;
  /** Publishes in flight during a burst. Default 10. */
  readonly concurrency?: number;
  readonly publish: (index: number) => Promise<string>;
}

export function runPublishLoop(options: PublishLoopOptions): Promise<PublishRecord[]>;
