import type { ContextKey, ContextValues } from "@connectrpc/connect";

/**
 * connect's `createContextValues()` as a class: the same storage (each key's value under the
 * key's symbol, on the object itself) and the same `get`/`set`/`delete`, with the methods on
 * the prototype instead of three new closures per call.
 *
 * @example
 * const values = new FastContextValues().set(requestRecordKey, record);
 */
export class FastContextValues implements ContextValues {
  [id: symbol]: unknown;

  get<T>(key: ContextKey<T>): T {
    return key.id in this ? (this[key.id] as T) : key.defaultValue;
  }

  set<T>(key: ContextKey<T>, value: T): this {
    this[key.id] = value;
    return this;
  }

  delete(key: ContextKey<unknown>): this {
    delete this[key.id];
    return this;
  }
}
