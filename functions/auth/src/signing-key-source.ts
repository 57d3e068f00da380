import { readFile } from "node:fs/promises";
import { EnvError } from "@kinetic/runtime";
import { generateSigningJwk } from "./generate-signing-jwk.js";
import type { SigningKeyStore } from "./signing-key-store.js";

/** A private JWK as a source holds it, with when it stopped signing. */
export interface SourcedKey {
  /** Checked by `signingKeyFromJwk`. */
  readonly jwk: unknown;
  /** Where the key came from, for error messages ("AUTH_SIGNING_KEYS key 2"). */
  readonly where: string;
  /** When it stopped signing; undefined for the signing key and for every operator-supplied key. */
  readonly retiredAt: Date | undefined;
}

/** Where the key set comes from; read at start and again on every reload. */
export interface SigningKeySource {
  /** The variable or table the keys come from, for logs. */
  readonly name: string;
  /** Every key, the signing key first. */
  load(): Promise<SourcedKey[]>;
}

export interface SigningKeySourceOptions {
  /** AUTH_SIGNING_KEYS_FILE: a file holding a JWK set, re-read on every reload. Default none. */
  file: string | undefined;
  /** AUTH_SIGNING_KEYS: the JWK set itself. Default none. */
  json: string | undefined;
  /** The function's `signing_keys` table, used when neither is set (dev, tests). Required. */
  store: SigningKeyStore;
}

/**
 * Picks the key source. In production the keys are a JWK set of private Ed25519 keys,
 * `{"keys":[newest, …, oldest]}`, from a mounted secret file or a variable: the first key signs,
 * every key verifies. Without either, the function generates a key once and keeps it in its own
 * schema, so restarts do not log everyone out. Setting both is a configuration error.
 */
export function createSigningKeySource({ file, json, store }: SigningKeySourceOptions): SigningKeySource {
  if (file !== undefined && json !== undefined) {
    throw new EnvError(["AUTH_SIGNING_KEYS_FILE and AUTH_SIGNING_KEYS are both set: set only one"]);
  }
  if (file !== undefined) {
    return {
      name: "AUTH_SIGNING_KEYS_FILE",
      async load() {
        const text = await readFile(file, "utf8").catch((err: unknown) => {
          throw new EnvError([`AUTH_SIGNING_KEYS_FILE could not be read: ${(err as NodeJS.ErrnoException).code ?? "unknown error"}`]);
        });
        return keysFromJwkSet(text, "AUTH_SIGNING_KEYS_FILE");
      },
    };
  }
  if (json !== undefined) {
    const keys = keysFromJwkSet(json, "AUTH_SIGNING_KEYS");
    return { name: "AUTH_SIGNING_KEYS", load: async () => keys };
  }
  return {
    name: "signing_keys table",
    async load() {
      let rows = await store.list();
      if (rows[0]?.retiredAt !== undefined || rows.length === 0) {
        await store.insertIfNoneSigns(await generateSigningJwk());
        rows = await store.list();
      }
      return rows.map((row) => ({ jwk: row.privateJwk, where: `signing_keys key "${row.kid}"`, retiredAt: row.retiredAt }));
    },
  };
}

/** Parses `{"keys":[…]}`; the messages name the variable, never quote the secret text. */
function keysFromJwkSet(text: string, variable: string): SourcedKey[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new EnvError([`${variable} must be a JSON JWK set, {"keys":[…]}, but is not valid JSON`]);
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new EnvError([`${variable} must be a JWK set with at least one key: {"keys":[newest, …]}`]);
  }
  return keys.map((jwk, i) => ({ jwk, where: `${variable} key ${i + 1}`, retiredAt: undefined }));
}
