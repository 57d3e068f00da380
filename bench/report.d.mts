// Types of report.mjs, for the TypeScript tests (the parts they use).

export function writeResults(report: { date: string; [key: string]: unknown }, dir: string, options?: { latest?: boolean }): Promise<string>;
export function updateDoc(path: string, markdown: string): Promise<void>;
export function updateDocSection(path: string, name: string, markdown: string): Promise<void>;
