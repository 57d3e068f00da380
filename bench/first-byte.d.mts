// Types of first-byte.mjs, for the TypeScript tests.

export function timeToFirstByte(options: {
  port: number;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  from?: number;
  timeoutMs?: number;
}): Promise<{ firstByteMs: number; status: number; body: Buffer }>;
