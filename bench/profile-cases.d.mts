// Types of profile-cases.mjs, for the TypeScript tests.

export interface ProfileProtocol {
  readonly id: string;
  readonly protocol: string;
  readonly label: string;
}
export interface FastPath {
  readonly id: string;
  readonly value: "off" | "on";
  readonly label: string;
}
export interface ProfileCase {
  readonly id: string;
  readonly name: string;
  readonly protocol: ProfileProtocol;
  readonly fastPath: FastPath;
}

export const profileProtocols: readonly ProfileProtocol[];
export const fastPaths: readonly FastPath[];
export function profileCases(only: readonly string[]): ProfileCase[];
