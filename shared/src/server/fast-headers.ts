import type * as http from "node:http";
import type * as http2 from "node:http2";
import { inspect, types, type InspectOptions } from "node:util";
import { nodeHeaderObject } from "./node-header-object.js";

/** Node's parsed request headers, as `req.headers` gives them on HTTP/1.1 and HTTP/2. */
export type NodeRequestHeaders = http.IncomingHttpHeaders | http2.IncomingHttpHeaders;

/** What the `FastHeaders` constructor takes: the `HeadersInit` forms of the global `Headers`. */
export type FastHeadersInit = Headers | Record<string, string> | Iterable<readonly [string, string] | readonly string[]>;

type Entry = readonly [name: string, value: string];

const tokenRegExp = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Names seen to be tokens, lowercased: one lookup instead of a match and a lowercasing.
const knownNames = new Map<string, string>();
const knownNamesMax = 1024;
// A value matching none of these is a ByteString with no NUL, CR or LF: the common case.
const unusualValueRegExp = /[\0\r\n\u0100-\uffff]/;
const nonByteRegExp = /[\u0100-\uffff]/;
const forbiddenValueRegExp = /[\0\r\n]/;

// Set by FastHeaders' static block: the way in to its private state for this module only.
let viewOf: (node: NodeRequestHeaders) => FastHeaders;
let entriesOf: (headers: FastHeaders) => Entry[];

/**
 * A `Headers` with the behaviour of Node 20's global (undici's): the same methods, name and
 * value validation, errors (type and message), value normalization, `cookie`/`set-cookie`
 * handling and live, sorted iteration — `fast-headers.test.ts` holds the two to the same
 * results — at a fraction of the cost: no WebIDL layers, names checked once per process (a
 * bounded cache of the names seen), one regular expression per value, and, for request headers
 * (`requestHeadersOf`), Node's object read in place until the first change.
 *
 * `instanceof Headers` is true: the prototype chain runs through the global `Headers.prototype`,
 * every method of which is overridden here, so undici sees an object without its private state
 * and takes its generic path (`new Headers(x)`, `new Response(body, { headers: x })` read it
 * through its iterator). The one difference this leaves: the global's own methods called on it
 * (`Headers.prototype.get.call(x, "a")`) throw a `TypeError`. Copying one with `new Headers(x)`
 * is slower than copying a global `Headers` (undici has a shortcut only for its own); copy with
 * `new FastHeaders(x)`, which copies its storage.
 *
 * @example
 * const header = new FastHeaders({ "content-type": "application/json" });
 * header.append("Set-Cookie", "a=1");
 * header.forEach((value, name) => console.log(name, value));
 */
export class FastHeaders implements Headers {
  /** Node's request headers while they are read in place; undefined once copied. */
  #node: NodeRequestHeaders | undefined;
  /** Lowercased name to value, repeated values combined; undefined while empty or a view. */
  #map: Map<string, string> | undefined;
  /** Each `set-cookie` value, as `getSetCookie` returns them. */
  #cookies: string[] | undefined;
  /** The sorted and combined entries, until the next change. */
  #sorted: Entry[] | undefined;

  /** Takes the `HeadersInit` forms the global takes: a record, a sequence of pairs, a Headers. */
  constructor(init?: FastHeadersInit) {
    if (init === undefined) return;
    if (typeof init === "object" && init !== null && #map in init) {
      // Another FastHeaders: what appending its entries gives, without the sort.
      const source = init.#node === undefined ? init : new FastHeaders();
      if (init.#node !== undefined) source.#appendNode(init.#node);
      const from = source.#map;
      if (from === undefined) return;
      const map = (this.#map = new Map());
      // Appending normalizes again: a combined value such as "a, " loses its space.
      from.forEach((value, key) => map.set(key, key === "set-cookie" ? value : normalize(value)));
      if (source.#cookies !== undefined) this.#cookies = [...source.#cookies];
      return;
    }
    const strings = stringsOfInit(init);
    for (let i = 0; i < strings.length; i += 2) {
      const name = strings[i]!;
      const text = normalize(strings[i + 1]!);
      const key = lowerTokenOf(name);
      if (key === undefined) throw invalid("Headers.append", name, "header name");
      if (forbiddenValueRegExp.test(text)) throw invalid("Headers.append", text, "header value");
      this.#append(key, text);
    }
  }

  static {
    viewOf = (node) => {
      const headers = new FastHeaders();
      headers.#node = node;
      return headers;
    };
    entriesOf = (headers) => headers.#entries();
  }

  append(name: string, value: string): void {
    const known = lowerTokenOf(name);
    if (known !== undefined && isUsualValue(value)) return this.#append(known, normalize(value));
    if (arguments.length < 2) throw missingArguments("Headers.append", 2, arguments.length);
    const [key, text] = checkedPair("Headers.append", name, value);
    this.#append(key, text);
  }

  delete(name: string): void {
    if (arguments.length < 1) throw missingArguments("Headers.delete", 1, arguments.length);
    const key = checkedName("Headers.delete", name);
    if (!this.#has(key)) return;
    const map = this.#storage();
    if (key === "set-cookie") this.#cookies = undefined;
    map.delete(key);
  }

  get(name: string): string | null {
    if (arguments.length < 1) throw missingArguments("Headers.get", 1, arguments.length);
    const key = checkedName("Headers.get", name);
    const node = this.#node;
    if (node !== undefined) return nodeValueOf(node, key);
    return this.#map?.get(key) ?? null;
  }

  has(name: string): boolean {
    if (arguments.length < 1) throw missingArguments("Headers.has", 1, arguments.length);
    return this.#has(checkedName("Headers.has", name));
  }

  set(name: string, value: string): void {
    let key = lowerTokenOf(name);
    let text: string;
    if (key !== undefined && isUsualValue(value)) text = normalize(value);
    else {
      if (arguments.length < 2) throw missingArguments("Headers.set", 2, arguments.length);
      [key, text] = checkedPair("Headers.set", name, value);
    }
    const map = this.#storage();
    if (key === "set-cookie") this.#cookies = [text];
    map.set(key, text);
  }

  getSetCookie(): string[] {
    const node = this.#node;
    if (node !== undefined) return nodeCookiesOf(node);
    return this.#cookies === undefined ? [] : [...this.#cookies];
  }

  keys(): IterableIterator<string> {
    return new HeadersIterator(this, nameOfEntry);
  }

  values(): IterableIterator<string> {
    return new HeadersIterator(this, valueOfEntry);
  }

  entries(): IterableIterator<[string, string]> {
    return new HeadersIterator(this, pairOf);
  }

  /**
   * What `forEach` yields, as the object `writeHead` and `addTrailers` take: combined values,
   * each `set-cookie` value in a list when there are several. Not part of `Headers`; read in
   * insertion order, without the sorted copy iteration makes (header order means nothing).
   */
  toNodeHeaders(): Record<string, string | string[]> {
    const out = nodeHeaderObject();
    if (this.#node !== undefined) {
      this.forEach((value, key) => appendNodeHeader(out, key, value));
      return out;
    }
    this.#map?.forEach((value, key) => {
      const cookies = this.#cookies;
      out[key] = key === "set-cookie" && cookies !== undefined && cookies.length > 1 ? [...cookies] : value;
    });
    return out;
  }

  forEach(callbackfn: (value: string, key: string, parent: Headers) => void, thisArg?: unknown): void {
    if (arguments.length < 1) throw missingArguments("Headers.forEach", 1, arguments.length);
    if (typeof callbackfn !== "function") throw new TypeError("Failed to execute 'forEach' on 'Headers': parameter 1 is not of type 'Function'.");
    const self = thisArg === undefined ? globalThis : thisArg;
    // As undici: the entries are read again at each step, so changes made by the callback show.
    for (let index = 0; ; index++) {
      const entries = this.#entries();
      if (index >= entries.length) return;
      const entry = entries[index]!;
      callbackfn.call(self, entry[1], entry[0], this);
    }
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return new HeadersIterator(this, pairOf);
  }

  /** For `console.log`: the headers as a record, as undici shows them. */
  [inspect.custom](_depth: number, options: InspectOptions): string {
    const record: Record<string, string> = {};
    const node = this.#node;
    const keys = node === undefined ? this.#map?.keys() ?? [] : Object.keys(node).filter((key) => !key.startsWith(":"));
    for (const key of keys) {
      const value = node === undefined ? this.#map?.get(key) : nodeValueOf(node, key);
      if (typeof value === "string") record[key] = value;
    }
    return `Headers ${inspect(record, options)}`;
  }

  #has(key: string): boolean {
    const node = this.#node;
    if (node !== undefined) return nodeValueOf(node, key) !== null;
    return this.#map?.has(key) ?? false;
  }

  #append(key: string, value: string): void {
    const map = this.#storage();
    const existing = map.get(key);
    map.set(key, existing === undefined ? value : `${existing}${key === "cookie" ? "; " : ", "}${value}`);
    if (key === "set-cookie") (this.#cookies ??= []).push(value);
  }

  /** Own storage for a change (copying Node's headers the first time); forgets the sort. */
  #storage(): Map<string, string> {
    this.#sorted = undefined;
    let map = this.#map;
    if (map !== undefined) return map;
    map = this.#map = new Map();
    const node = this.#node;
    if (node === undefined) return map;
    this.#node = undefined;
    this.#appendNode(node);
    return map;
  }

  /** connect-node's nodeHeaderToWebHeader: each non-pseudo header appended, items one by one. */
  #appendNode(node: NodeRequestHeaders): void {
    for (const key of Object.keys(node)) {
      if (key.startsWith(":")) continue;
      const value = node[key];
      if (typeof value === "string") this.#append(key, normalize(value));
      else if (typeof value === "number") this.#append(key, String(value));
      else if (Array.isArray(value)) for (const item of value) this.#append(key, normalize(item));
    }
  }

  /** Sorted by name, repeated names combined, each `set-cookie` on its own. */
  #entries(): Entry[] {
    if (this.#node !== undefined) this.#storage();
    let sorted = this.#sorted;
    if (sorted !== undefined) return sorted;
    sorted = [];
    const cookies = this.#cookies;
    const splitCookies = cookies !== undefined && cookies.length > 1;
    // Insertion sort: a handful of names, already in order more often than not.
    for (const entry of this.#map ?? []) {
      const name = entry[0];
      if (splitCookies && name === "set-cookie") {
        for (const cookie of cookies) insertSorted(sorted, ["set-cookie", cookie]);
      } else insertSorted(sorted, entry);
    }
    return (this.#sorted = sorted);
  }
}

// The methods of the global are enumerable (WebIDL), class methods are not: match it.
for (const name of ["append", "delete", "get", "has", "set", "getSetCookie", "keys", "values", "entries", "forEach"]) {
  Object.defineProperty(FastHeaders.prototype, name, { enumerable: true });
}
Object.defineProperty(FastHeaders.prototype, Symbol.toStringTag, { value: "Headers", configurable: true });
whenGlobalHeaders((global) => Object.setPrototypeOf(FastHeaders.prototype, global.prototype));

/**
 * Internal: calls `link` with the global `Headers` as soon as it exists, without making it
 * exist. Node 20 defines `Headers` (and `fetch`, `Request`, `Response`) as lazy getters that
 * load undici on first read, 25–40 ms of a cold start on the machines measured, which a
 * function answering Connect and gRPC calls on the fast paths never needs. Code can tell a
 * `FastHeaders` from a global `Headers` only through that global (`instanceof Headers`,
 * `Headers.prototype`), so linking the prototypes when the global is first read, before the
 * reader gets it, is indistinguishable from linking them at load. When undici is loaded
 * already (or the getter is not Node's), they are linked at once.
 */
function whenGlobalHeaders(link: (global: typeof Headers) => void): void {
  const lazy = Object.getOwnPropertyDescriptor(globalThis, "Headers");
  const getter = lazy?.get;
  if (lazy === undefined || getter === undefined || lazy.configurable !== true) return link(Headers);
  Object.defineProperty(globalThis, "Headers", {
    configurable: true,
    enumerable: lazy.enumerable ?? false,
    get() {
      // Node's getter loads undici and replaces itself with a plain value property.
      Object.defineProperty(globalThis, "Headers", lazy);
      const global = getter.call(globalThis) as typeof Headers;
      link(global);
      return global;
    },
    set(value: unknown) {
      // Assigned before ever being read: the assigned value is the global from now on.
      Object.defineProperty(globalThis, "Headers", { configurable: true, enumerable: lazy.enumerable ?? false, writable: true, value });
      if (typeof value === "function") link(value as typeof Headers);
    },
  });
}

/**
 * A `Headers` of a request's headers as Node parsed them (lowercased names, `set-cookie` as a
 * list, HTTP/2 pseudo-headers), equal for every operation to what connect-node builds for a
 * handler (`new Headers()` then `append` for each header but the pseudo-headers) and built
 * without any work: `get`, `has` and `getSetCookie` read Node's object in place, and the first
 * change (`set`, `append`, a `delete` of a present name) or enumeration (`forEach`, iterators)
 * copies it, so Node's object is never changed. Until then the view shows any change made to
 * Node's object; Node's own parser output is all it expects (names lowercased tokens, values
 * strings of bytes without NUL, CR or LF), as `req.headers` always is.
 *
 * @example
 * const requestHeader = requestHeadersOf(req.headers);
 * const timeout = requestHeader.get("connect-timeout-ms");
 */
export function requestHeadersOf(nodeHeaders: NodeRequestHeaders): FastHeaders {
  return viewOf(nodeHeaders);
}

/** The value `Headers#get` would give for a header of Node's object, null when absent. */
function nodeValueOf(node: NodeRequestHeaders, key: string): string | null {
  const value = node[key];
  if (typeof value === "string") return normalize(value);
  if (typeof value === "number") return String(value);
  if (!Array.isArray(value) || value.length === 0) return null;
  let joined = normalize(value[0]!);
  const delimiter = key === "cookie" ? "; " : ", ";
  for (let i = 1; i < value.length; i++) joined += delimiter + normalize(value[i]!);
  return joined;
}

function nodeCookiesOf(node: NodeRequestHeaders): string[] {
  const value = node["set-cookie"];
  if (typeof value === "string") return [normalize(value)];
  if (typeof value === "number") return [String(value)];
  return Array.isArray(value) ? value.map(normalize) : [];
}

/**
 * A live iterator over a `FastHeaders`, as undici's "Headers Iterator": it reads the sorted
 * entries again at each step, so changes made while iterating show.
 */
class HeadersIterator<T> implements IterableIterator<T> {
  readonly #headers: FastHeaders;
  readonly #project: (entry: Entry) => T;
  #index = 0;

  constructor(headers: FastHeaders, project: (entry: Entry) => T) {
    this.#headers = headers;
    this.#project = project;
  }

  next(): IteratorResult<T, undefined> {
    const entries = entriesOf(this.#headers);
    const index = this.#index;
    if (index >= entries.length) return { value: undefined, done: true };
    this.#index = index + 1;
    return { value: this.#project(entries[index]!), done: false };
  }

  [Symbol.iterator](): this {
    return this;
  }
}

Object.defineProperty(HeadersIterator.prototype, Symbol.toStringTag, { value: "Headers Iterator", configurable: true });
Object.setPrototypeOf(HeadersIterator.prototype, Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())) as object);

const nameOfEntry = (entry: Entry): string => entry[0];
const valueOfEntry = (entry: Entry): string => entry[1];
const pairOf = (entry: Entry): [string, string] => [entry[0], entry[1]];

/** Inserts after every entry whose name sorts before or equal to its name (keeps cookies in order). */
function insertSorted(sorted: Entry[], entry: Entry): void {
  const name = entry[0];
  let at = sorted.length;
  while (at > 0 && sorted[at - 1]![0] > name) {
    sorted[at] = sorted[at - 1]!;
    at--;
  }
  sorted[at] = entry;
}

/** A name as the global's methods take it: converted, then checked; lowercased. */
function checkedName(method: string, name: unknown): string {
  const known = lowerTokenOf(name);
  if (known !== undefined) return known;
  const text = byteStringOf(method, "name", name);
  const key = lowerTokenOf(text);
  if (key === undefined) throw invalid(method, text, "header name");
  return key;
}

/** A name lowercased if it is a string and a token, else undefined. */
function lowerTokenOf(name: unknown): string | undefined {
  if (typeof name !== "string") return undefined;
  let key = knownNames.get(name);
  if (key !== undefined || !tokenRegExp.test(name)) return key;
  key = name.toLowerCase();
  if (knownNames.size < knownNamesMax) knownNames.set(name, key);
  return key;
}

/** True for a value that is a ByteString without NUL, CR or LF. */
function isUsualValue(value: unknown): value is string {
  return typeof value === "string" && !unusualValueRegExp.test(value);
}

/** A name and a value as `set` and `append` take them: both converted, then both checked. */
function checkedPair(method: string, name: unknown, value: unknown): [key: string, value: string] {
  const known = lowerTokenOf(name);
  const nameText = known === undefined ? byteStringOf(method, "name", name) : (name as string);
  const text = normalize(byteStringOf(method, "value", value));
  const key = known ?? lowerTokenOf(nameText);
  if (key === undefined) throw invalid(method, nameText, "header name");
  if (forbiddenValueRegExp.test(text)) throw invalid(method, text, "header value");
  return [key, text];
}

/** WebIDL's ByteString conversion, with undici's messages. */
function byteStringOf(prefix: string, argument: string, value: unknown): string {
  if (typeof value === "symbol") throw new TypeError(`${prefix}: ${argument} is a symbol, which cannot be converted to a DOMString.`);
  const text = String(value);
  const index = text.search(nonByteRegExp);
  if (index !== -1) {
    throw new TypeError(`Cannot convert argument to a ByteString because the character at index ${index} has a value of ${text.charCodeAt(index)} which is greater than 255.`);
  }
  return text;
}

/** Removes leading and trailing HTTP whitespace (tab, LF, CR, space). */
function normalize(value: string): string {
  let start = 0;
  let end = value.length;
  while (end > start && isHttpWhitespace(value.charCodeAt(end - 1))) end--;
  while (end > start && isHttpWhitespace(value.charCodeAt(start))) start++;
  return start === 0 && end === value.length ? value : value.substring(start, end);
}

function isHttpWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

function invalid(prefix: string, value: string, type: string): TypeError {
  return new TypeError(`${prefix}: "${value}" is an invalid ${type}.`);
}

function missingArguments(prefix: string, required: number, found: number): TypeError {
  return new TypeError(`${prefix}: ${required} argument${required === 1 ? "" : "s"} required, but${found ? " only" : ""} ${found} found.`);
}

/**
 * undici's HeadersInit conversion, flat (name, value, name, value…): every name and value
 * converted before any is checked or appended.
 */
function stringsOfInit(init: unknown): string[] {
  const prefix = "Headers contructor"; // sic, as undici spells it
  if (init === null || (typeof init !== "object" && typeof init !== "function")) {
    throw new TypeError("Headers constructor: Argument 1 could not be converted to one of: sequence<sequence<ByteString>>, record<ByteString, ByteString>.");
  }
  const object = init as Record<PropertyKey, unknown>;
  const iterator = object[Symbol.iterator];
  const strings: string[] = [];
  if (typeof iterator !== "function") {
    // undici's record conversion: own names (enumerable or not, but only the enumerable keys of
    // a Proxy), then symbols, which throw; "__proto__" is lost on the way (a plain object's setter).
    const proxy = types.isProxy(object);
    for (const key of proxy ? Reflect.ownKeys(object) : Object.getOwnPropertyNames(object)) {
      if (proxy && Reflect.getOwnPropertyDescriptor(object, key)?.enumerable !== true) continue;
      const name = byteStringOf(prefix, "init", key);
      const value = byteStringOf(prefix, "init", object[key]);
      if (name !== "__proto__") strings.push(name, value);
    }
    if (!proxy) for (const key of Object.getOwnPropertySymbols(object)) byteStringOf(prefix, "init", key); // throws
    return strings;
  }
  const items: string[][] = [];
  for (const item of { [Symbol.iterator]: () => (iterator as () => Iterator<unknown>).call(init) }) {
    if (item === null || (typeof item !== "object" && typeof item !== "function")) {
      throw new TypeError(`${prefix}: init[${items.length}] (${String(item)}) is not iterable.`);
    }
    const itemIterator = (item as Record<PropertyKey, unknown>)[Symbol.iterator];
    if (typeof itemIterator !== "function") throw new TypeError(`${prefix}: init[${items.length}] is not iterable.`);
    const pair: string[] = [];
    for (const text of { [Symbol.iterator]: () => (itemIterator as () => Iterator<unknown>).call(item) }) {
      pair.push(byteStringOf(prefix, `init[${items.length}][${pair.length}]`, text));
    }
    items.push(pair);
  }
  for (const pair of items) {
    if (pair.length !== 2) throw new TypeError(`Headers constructor: expected name/value pair to be length 2, found ${pair.length}.`);
    strings.push(pair[0]!, pair[1]!);
  }
  return strings;
}

/** Adds one `forEach` entry to a Node header object: repeated names (set-cookie) become lists. */
export function appendNodeHeader(out: Record<string, string | string[]>, key: string, value: string): void {
  const existing = out[key];
  if (existing === undefined) out[key] = value;
  else if (Array.isArray(existing)) existing.push(value);
  else out[key] = [existing, value];
}
