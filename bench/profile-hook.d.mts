// Types of profile-hook.mjs, for the TypeScript tests.

export const startSignal: NodeJS.Signals;
export const samplingIntervalUs: number;
export function profileOnSignals(file: string, options?: { intervalUs?: number }): void;
