import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

/** scrypt cost parameters. Defaults follow OWASP's guidance for scrypt (N=2^15, r=8, p=3). */
export interface PasswordHasherOptions {
  /** log2 of the CPU/memory cost N. Default 15. */
  logN?: number;
  /** Block size r. Default 8. */
  r?: number;
  /** Parallelism p. Default 3. */
  p?: number;
}

export interface PasswordHasher {
  /** A self-describing hash: `scrypt$<logN>$<r>$<p>$<salt b64>$<key b64>`, with a fresh 16-byte salt. */
  hash(password: string): Promise<string>;
  /** Compares in constant time; parameters are read from the stored hash, so old hashes keep working. */
  verify(password: string, stored: string): Promise<boolean>;
  /** Burns the same time as `verify`, for unknown accounts, so timing does not reveal which emails exist. */
  verifyNothing(password: string): Promise<false>;
}

const keyLength = 32;

function derive(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  const N = 2 ** logN;
  const options: ScryptOptions = { N, r, p, maxmem: 256 * N * r + 1024 * 1024 };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFC"), salt, keyLength, options, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** Creates the scrypt password hasher (node:crypto; runs on libuv's thread pool, off the event loop). */
export function createPasswordHasher({ logN = 15, r = 8, p = 3 }: PasswordHasherOptions = {}): PasswordHasher {
  const dummySalt = randomBytes(16);
  return {
    async hash(password) {
      const salt = randomBytes(16);
      const key = await derive(password, salt, logN, r, p);
      return ["scrypt", logN, r, p, salt.toString("base64"), key.toString("base64")].join("$");
    },
    async verify(password, stored) {
      const [scheme, storedLogN, storedR, storedP, salt, key] = stored.split("$");
      if (scheme !== "scrypt" || salt === undefined || key === undefined) throw new Error("unrecognised password hash format");
      const expected = Buffer.from(key, "base64");
      const actual = await derive(password, Buffer.from(salt, "base64"), Number(storedLogN), Number(storedR), Number(storedP));
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
    async verifyNothing(password) {
      await derive(password, dummySalt, logN, r, p);
      return false;
    },
  };
}
