import { createServer, type AddressInfo, type Socket } from "node:net";
import type { PGlite } from "@electric-sql/pglite";

export interface PgliteWireServerOptions {
  /** Port to listen on. Default 0 (a free one). */
  port?: number;
  /** Address to listen on. Default "127.0.0.1". */
  host?: string;
}

/** PGlite answering the Postgres wire protocol. */
export interface PgliteWireServer {
  readonly port: number;
  /** Stops listening, drops every connection and waits for the statement running now. The database stays open. */
  close(): Promise<void>;
}

const sslRequest = 80877103;
const gssEncRequest = 80877104;
const protocol3 = 196608;
const [Q, P, C, S, H, X, A] = ["Q", "P", "C", "S", "H", "X", "A"].map((c) => c.charCodeAt(0)) as [number, number, number, number, number, number, number];

/** One client connection: a view of PGlite's single backend session. */
interface Session {
  readonly socket: Socket;
  input: Buffer;
  started: boolean;
  /** Messages since the last Sync, Query or Flush. */
  pending: Buffer[];
  /** Its named prepared statements, closed when it disconnects (they live in the shared session). */
  readonly statements: Set<string>;
  /** Channels it LISTENs on: NotificationResponses go to these sessions, not to the one that committed. */
  readonly channels: Set<string>;
  closed: boolean;
}

interface Batch {
  readonly session: Session;
  run(): Promise<void>;
}

/**
 * Serves one PGlite over TCP for many clients at once. PGlite is a single backend session that
 * runs one message stream, so clients are interleaved at protocol boundaries only: a client's
 * messages up to its Sync (extended protocol) or Query (simple) run as one uninterrupted batch,
 * and a client inside a transaction, or between a Flush and its Sync, keeps the session until it
 * leaves, while the others queue. Interleaving single messages instead, as
 * `@electric-sql/pglite-socket` 0.2 does, let one client's error skip another's messages until
 * Sync, leaving that client waiting forever. Also: NOTIFY reaches the connections that LISTEN
 * (PGlite writes it into the committing connection's reply); a connection that closes has its
 * transaction rolled back and its prepared statements closed; startup parameters and the user
 * are ignored (one session: SET and session advisory locks are shared); SSL is declined and
 * CancelRequest does nothing.
 *
 * @example
 * const db = await PGlite.create({ dataDir });
 * const server = await startPgliteWireServer(db);
 * // postgres://postgres@127.0.0.1:${server.port}/postgres
 */
export async function startPgliteWireServer(db: PGlite, { port = 0, host = "127.0.0.1" }: PgliteWireServerOptions = {}): Promise<PgliteWireServer> {
  const sessions = new Set<Session>();
  const queue: Batch[] = [];
  let owner: Session | undefined; // holds the backend between its batches
  let pumping = false;
  let stopping = false;

  const pump = async () => {
    if (pumping) return;
    pumping = true;
    try {
      for (;;) {
        const next = owner ? queue.findIndex((b) => b.session === owner) : queue.length > 0 ? 0 : -1;
        if (next === -1) return;
        const [batch] = queue.splice(next, 1);
        await batch!.run().catch(() => batch!.session.socket.destroy());
      }
    } finally {
      pumping = false;
    }
  };
  const enqueue = (session: Session, run: () => Promise<void>) => {
    queue.push({ session, run });
    void pump();
  };
  const exec = (message: Uint8Array) => {
    const out: Buffer[] = [];
    return db
      .runExclusive(() => db.execProtocolRawStream(message, { onRawData: (chunk) => void out.push(Buffer.from(chunk)) }))
      .then(() => Buffer.concat(out));
  };

  const runBatch = (session: Session, message: Buffer, ends: boolean, unlistens: boolean) => async () => {
    const reply = await exec(message);
    const own: Buffer[] = [];
    for (const m of messagesOf(reply)) {
      if (m[0] !== A) {
        own.push(m);
        continue;
      }
      const channel = m.toString("utf8", 9, m.indexOf(0, 9));
      for (const s of sessions) if (s.channels.has(channel) && !s.closed) s.socket.write(m);
    }
    if (!session.closed) session.socket.write(own.length === 1 ? own[0]! : Buffer.concat(own));
    if (unlistens) await relisten();
    owner = db.isInTransaction() || !ends ? session : undefined;
  };
  // UNLISTEN from one connection silences the channel for the whole session; restore the others'.
  const relisten = async () => {
    const wanted = new Set([...sessions].flatMap((s) => [...s.channels]));
    for (const channel of wanted) await exec(query(`listen "${channel.replace(/"/g, '""')}"`));
  };

  const cleanUp = (session: Session) => async () => {
    if (owner === session) {
      await exec(message(S, Buffer.alloc(0)));
      if (db.isInTransaction()) await exec(query("rollback"));
      owner = undefined;
    }
    const closes = [...session.statements].map((name) => message(C, Buffer.concat([Buffer.from("S"), cstring(name)])));
    if (closes.length > 0) await exec(Buffer.concat([...closes, message(S, Buffer.alloc(0))]));
    if (session.channels.size > 0) {
      session.channels.clear();
      await relisten();
    }
  };

  const receive = (session: Session) => {
    for (;;) {
      const { input } = session;
      if (!session.started) {
        if (input.length < 8) return;
        const length = input.readInt32BE(0);
        const code = input.readInt32BE(4);
        if (input.length < length) return;
        session.input = input.subarray(length);
        if (code === sslRequest || code === gssEncRequest) {
          session.socket.write("N");
        } else if (code === protocol3) {
          session.started = true;
          const startup = Buffer.from(input.subarray(0, length));
          enqueue(session, runBatch(session, startup, true, false));
        } else {
          session.socket.destroy(); // CancelRequest, or not Postgres
          return;
        }
        continue;
      }
      if (input.length < 5) return;
      const length = 1 + input.readInt32BE(1);
      if (input.length < length) return;
      const m = Buffer.from(input.subarray(0, length));
      session.input = input.subarray(length);
      const type = m[0]!;
      if (type === X) {
        session.socket.end();
        return;
      }
      track(session, m);
      session.pending.push(m);
      if (type === S || type === Q || type === H) {
        const batch = Buffer.concat(session.pending);
        const unlistens = session.pending.some((p) => /\bunlisten\b/i.test(textOf(p)));
        session.pending = [];
        enqueue(session, runBatch(session, batch, type !== H, unlistens));
      }
    }
  };

  const server = createServer((socket) => {
    const session: Session = { socket, input: Buffer.alloc(0), started: false, pending: [], statements: new Set(), channels: new Set(), closed: false };
    sessions.add(session);
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => {
      session.input = session.input.length === 0 ? chunk : Buffer.concat([session.input, chunk]);
      receive(session);
    });
    socket.on("error", () => undefined); // "close" follows
    socket.on("close", () => {
      session.closed = true;
      sessions.delete(session);
      for (let i = queue.length - 1; i >= 0; i--) if (queue[i]!.session === session) queue.splice(i, 1);
      if (!stopping) enqueue(session, cleanUp(session));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      stopping = true;
      queue.length = 0;
      const closed = new Promise((resolve) => server.close(resolve));
      for (const s of sessions) s.socket.destroy();
      await closed;
      while (pumping) await db.runExclusive(async () => undefined);
    },
  };
}

/** Notes what a message creates in the shared session: named statements and LISTENs. */
function track(session: Session, m: Buffer): void {
  if (m[0] === P) {
    const name = m.toString("utf8", 5, m.indexOf(0, 5));
    if (name !== "") session.statements.add(name);
  } else if (m[0] === C && m[5] === S) {
    session.statements.delete(m.toString("utf8", 6, m.indexOf(0, 6)));
  }
  for (const [, un, quoted, bare] of textOf(m).matchAll(/\b(un)?listen\s+(?:"((?:[^"]|"")+)"|([a-z_][a-z0-9_$]*))/gi)) {
    const channel = quoted !== undefined ? quoted.replace(/""/g, '"') : bare!.toLowerCase();
    if (un) session.channels.delete(channel);
    else session.channels.add(channel);
  }
}

/** The SQL text of a Query or Parse message, else "". */
function textOf(m: Buffer): string {
  if (m[0] === Q) return m.toString("utf8", 5, m.length - 1);
  if (m[0] === P) {
    const start = m.indexOf(0, 5) + 1;
    return m.toString("utf8", start, m.indexOf(0, start));
  }
  return "";
}

/** Splits a reply into whole messages. */
function* messagesOf(reply: Buffer): Generator<Buffer> {
  for (let at = 0; at + 5 <= reply.length; ) {
    const end = at + 1 + reply.readInt32BE(at + 1);
    yield reply.subarray(at, end);
    at = end;
  }
}

function message(type: number, body: Buffer): Buffer {
  const m = Buffer.alloc(5 + body.length);
  m[0] = type;
  m.writeInt32BE(4 + body.length, 1);
  body.copy(m, 5);
  return m;
}

function query(text: string): Buffer {
  return message(Q, cstring(text));
}

function cstring(text: string): Buffer {
  return Buffer.concat([Buffer.from(text, "utf8"), Buffer.alloc(1)]);
}
