import type { JWK } from "jose";
import type { Logger } from "@kinetic/runtime";
import type { SigningKeySource, SourcedKey } from "./signing-key-source.js";
import { signingKeyFromJwk, type SigningKey } from "./signing-key-from-jwk.js";

/** The keys this function holds: one signs, the others only verify until their tokens have expired. */
export interface KeyRing {
  /** The key new access tokens are signed with. */
  signer(): SigningKey;
  /** The verifiable key named `kid`. An unknown kid first re-reads the source (at most once per `minReloadIntervalMs`), in case another instance rotated. */
  verifier(kid: string): Promise<SigningKey | undefined>;
  /** The public keys of every verifiable key, the signing key first, for the JWKS document. */
  publicJwks(): JWK[];
  /** Reads the source again now. */
  reload(): Promise<void>;
  /** Stops the periodic reload. */
  close(): void;
}

export interface KeyRingOptions {
  /** Where the keys come from. Required. */
  source: SigningKeySource;
  /**
   * How long a key keeps verifying after it stopped signing, in seconds: at least the access
   * token TTL, plus the reload period (an instance may sign with it until its next reload) and
   * the clock tolerance. Required.
   */
  retiredKeyLifetimeSeconds: number;
  /** How often the source is read again, in seconds, to pick up rotations. Default 60. */
  reloadSeconds?: number;
  /** Least time between two reloads caused by unknown kids, in milliseconds, so forged kids cannot flood the source. Default 1000. */
  minReloadIntervalMs?: number;
  /** Receives reload failures. Required. */
  log: Logger;
}

interface Loaded {
  signer: SigningKey;
  verifiers: Map<string, SigningKey>;
}

/**
 * Loads the key set (failing the start when it is missing or invalid) and keeps it current.
 * Keys are imported once and reused across reloads; a failed reload keeps the keys in use.
 */
export async function createKeyRing(options: KeyRingOptions): Promise<KeyRing> {
  const { source, retiredKeyLifetimeSeconds, reloadSeconds = 60, minReloadIntervalMs = 1000, log } = options;
  const imported = new Map<string, { text: string; key: SigningKey }>();

  async function importKey(sourced: SourcedKey): Promise<SigningKey> {
    const text = JSON.stringify(sourced.jwk);
    const known = [...imported.values()].find((entry) => entry.text === text);
    if (known) return known.key;
    const key = await signingKeyFromJwk(sourced.jwk, sourced.where);
    imported.set(key.kid, { text, key });
    return key;
  }

  async function load(): Promise<Loaded> {
    const sourced = await source.load();
    const oldest = Date.now() - retiredKeyLifetimeSeconds * 1000;
    const live = sourced.filter((k, i) => i === 0 || k.retiredAt === undefined || k.retiredAt.getTime() > oldest);
    const keys = await Promise.all(live.map(importKey));
    const verifiers = new Map<string, SigningKey>();
    for (const [i, key] of keys.entries()) {
      if (verifiers.has(key.kid)) throw new TypeError(`${live[i]!.where} repeats kid "${key.kid}": every key needs its own kid`);
      verifiers.set(key.kid, key);
    }
    for (const kid of imported.keys()) if (!verifiers.has(kid)) imported.delete(kid);
    return { signer: keys[0]!, verifiers };
  }

  let current = await load();
  let lastMissReload = 0;
  let reloading: Promise<void> | undefined;
  const reload = () =>
    (reloading ??= load()
      .then((next) => void (current = next))
      .catch((err: unknown) => log.warn("signing keys could not be reloaded: keeping the current ones", { source: source.name, error: err }))
      .finally(() => (reloading = undefined)));
  const timer = setInterval(() => void reload(), reloadSeconds * 1000);
  timer.unref();

  return {
    signer: () => current.signer,
    async verifier(kid) {
      const found = current.verifiers.get(kid);
      if (found || Date.now() - lastMissReload < minReloadIntervalMs) return found;
      lastMissReload = Date.now();
      await reload();
      return current.verifiers.get(kid);
    },
    publicJwks: () => [...current.verifiers.values()].map((key) => key.publicJwk),
    reload,
    close: () => clearInterval(timer),
  };
}
