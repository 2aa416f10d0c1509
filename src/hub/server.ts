// The TCP transport: JSONL per connection, replies strictly in request order (pipelining), and the memory budget of
// limits.ts: a cap on connections, an auth and an idle timeout, bounded lines, and bytes buffered per connection and
// in total (a connection over its share stops being read until there is room again).
import net from "node:net";
import { formatMs } from "../util/units.ts";
import type { ByteBudget } from "./byte-budget.ts";
import type { Hub } from "./hub.ts";
import { AUTH_LINE_BYTES, type HubLimits, OUTPUT_HIGH_WATER_BYTES } from "./limits.ts";
import { LineReader } from "./line-reader.ts";
import { type LineOutcome, readLine } from "./protocol.ts";
import { newSession } from "./session.ts";
import { formatError } from "./wire.ts";

/** A request being handled, whose reply is not sent yet. */
interface Started {
  bytes: number;
  outcome: Promise<LineOutcome>;
}

export const LISTEN_BACKLOG = 511;
/** Requests queued per connection before we stop reading from it (backpressure), however small they are. */
const MAX_QUEUED_LINES = 4096;
/** How long a connection we are closing may linger to read our last reply. */
const LINGER_MS = 5000;
/** The same for a connection closed by a timeout (it is not reading; its slot is wanted). */
const TIMEOUT_LINGER_MS = 1000;
/** Connections over the cap that may linger to read why they are refused; beyond that Node drops them at once. */
const REFUSED_SLACK = 64;

export interface TcpServer {
  host: string;
  port: number;
  /** Connections open now (for tests and the benchmark). */
  connections(): number;
  /** Stops accepting, answers requests already received, closes every connection. */
  close(): Promise<void>;
}

/** `budget`: shared with the REST adapter (one total for the hub). */
export function startTcpServer(hub: Hub, options: { host: string; port: number; limits: HubLimits; budget: ByteBudget }): Promise<TcpServer> {
  const { limits, budget } = options;
  const connections = new Set<Connection>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    if (connections.size >= limits.maxConnections) {
      refuse(socket, `the hub serves at most ${limits.maxConnections} connections (--max-connections) and has them all; try again later`);
      return;
    }
    const connection = new Connection(hub, socket, limits, budget, () => connections.delete(connection));
    connections.add(connection);
  });
  server.maxConnections = limits.maxConnections + REFUSED_SLACK;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: options.host, port: options.port, backlog: LISTEN_BACKLOG }, () => {
      server.off("error", reject);
      server.on("error", () => {}); // accept errors (EMFILE) are retried by libuv; they must not end the hub
      const address = server.address() as net.AddressInfo;
      resolve({
        host: options.host,
        port: address.port,
        connections: () => connections.size,
        close: async () => {
          const closed = new Promise<void>((done) => server.close(() => done()));
          await Promise.all([...connections].map((c) => c.drainAndClose()));
          await closed;
        },
      });
    });
  });
}

/** Tells a connection over the cap why, and closes it. */
function refuse(socket: net.Socket, message: string): void {
  socket.on("error", () => {});
  socket.resume(); // read and discard, so the reply is not lost to a reset
  socket.end(`${formatError("null", message)}\n`);
  const force = setTimeout(() => socket.destroy(), 1000);
  force.unref();
  socket.once("close", () => clearTimeout(force));
}

class Connection {
  private readonly session;
  private readonly reader: LineReader;
  private queue: string[] = [];
  private head = 0;
  /** Characters of the queued lines not yet answered. */
  private queuedBytes = 0;
  private busy = false;
  /** Replies waiting for the commit of their writes. */
  private out = "";
  private eof = false;
  private finishing = false;
  private flushPending = false;
  private gone = false;
  private readonly closed: Promise<void>;
  /** What this connection holds of the shared budget. */
  private accounted = 0;
  private cancelBudgetWait: (() => void) | undefined;
  /** The pump waits here while the client does not read its replies. */
  private outputWaiter: (() => void) | undefined;
  private readonly openedAt = Date.now();
  /** When the last request was received or the last reply sent (the idle clock). */
  private lastActive = Date.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly hub: Hub,
    private readonly socket: net.Socket,
    private readonly limits: HubLimits,
    private readonly budget: ByteBudget,
    onGone: () => void,
  ) {
    this.session = newSession(!hub.requiresAuth);
    // With a token the first line must be `auth`: it may not be a flood.
    this.reader = new LineReader(limits.maxLineBytes, hub.requiresAuth ? Math.min(AUTH_LINE_BYTES, limits.maxLineBytes) : limits.maxLineBytes);
    socket.setNoDelay(true);
    this.closed = new Promise((resolve) =>
      socket.once("close", () => {
        this.gone = true;
        this.session.closed = true;
        clearTimeout(this.timer);
        this.cancelBudgetWait?.();
        this.budget.change(-this.accounted);
        this.accounted = 0;
        this.wakeOutput();
        onGone();
        resolve();
      }),
    );
    socket.on("error", () => {}); // a reset by the peer is normal; "close" follows
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("end", () => {
      if (this.finishing) return;
      this.enqueue(this.reader.end());
      this.eof = true;
      void this.pump();
    });
    socket.on("drain", () => {
      this.wakeOutput();
      this.flow();
    });
    this.armTimer();
  }

  /** Shutdown: answer what was received, then close. */
  drainAndClose(): Promise<void> {
    this.eof = true;
    if (!this.busy) void this.pump();
    const force = setTimeout(() => this.socket.destroy(), LINGER_MS);
    force.unref();
    return this.closed.finally(() => clearTimeout(force));
  }

  private onData(chunk: Buffer): void {
    if (this.finishing || this.eof) return; // closing: discard
    this.enqueue(this.reader.push(chunk));
    this.flow();
    void this.pump();
  }

  private enqueue(lines: string[]): void {
    if (lines.length > 0) this.lastActive = Date.now();
    for (const line of lines) {
      this.queue.push(line);
      this.queuedBytes += line.length;
    }
  }

  private pendingCount(): number {
    return this.queue.length - this.head;
  }

  /** Unsent reply bytes: waiting for a commit, or written and not yet taken by the client. */
  private outputBytes(): number {
    return this.out.length + this.socket.writableLength;
  }

  /** Brings this connection's share of the budget up to date. */
  private sync(): void {
    if (this.gone) return;
    const own = this.reader.pendingBytes + this.queuedBytes + this.outputBytes();
    this.budget.change(own - this.accounted);
    this.accounted = own;
  }

  /** Reads on while this connection is under its own bound and the shared budget has room (or it holds little). */
  private flow(): void {
    this.sync();
    if (this.gone || this.finishing) return;
    const full = this.queuedBytes >= this.limits.maxLineBytes || this.pendingCount() >= MAX_QUEUED_LINES;
    if (!full && this.budget.allows(this.accounted)) {
      this.cancelBudgetWait?.();
      this.cancelBudgetWait = undefined;
      if (this.socket.isPaused()) this.socket.resume();
      return;
    }
    this.socket.pause();
    // Full: the pump resumes it as it answers. Over the budget: another connection's release does.
    if (!full && !this.cancelBudgetWait) {
      this.cancelBudgetWait = this.budget.wait(() => {
        this.cancelBudgetWait = undefined;
        this.flow();
      });
    }
  }

  /**
   * Answers the queued lines in order. Each reply is released once its writes are committed; replies that are ready
   * together go out in one write. A lease that waits (long-poll) holds back only the replies after it. While the
   * client leaves more than OUTPUT_HIGH_WATER_BYTES of replies unread, the next request waits.
   * On a store whose writes overlap (PostgreSQL), the writes among the queued lines start without waiting for the
   * previous one's commit, so they share it (protocol.ts, Overlap); replies still go out in order.
   */
  private async pump(): Promise<void> {
    if (this.busy || this.finishing) return;
    this.busy = true;
    const started: Started[] = [];
    // Lines that arrive while the last ones are answered are taken up again before the pump stops.
    while (this.head < this.queue.length || started.length > 0) {
      if (this.head >= this.queue.length) {
        if (!(await this.answer(started))) return;
        continue;
      }
      if (this.outputBytes() > OUTPUT_HIGH_WATER_BYTES) {
        if (!(await this.answer(started))) return;
        await new Promise<void>((resolve) => {
          this.outputWaiter = resolve;
        });
        if (this.finishing || this.gone) return;
        continue;
      }
      const line = this.queue[this.head] as string;
      this.queue[this.head] = "";
      this.head++;
      const request = readLine(line);
      const overlap = this.hub.store.overlapsWrites && this.session.authed ? request.overlap : "alone";
      if (overlap === "alone" && !(await this.answer(started))) return;
      started.push({ bytes: line.length, outcome: request.handle(this.hub, this.session) });
      if (overlap !== "write" && !(await this.answer(started))) return;
    }
    this.queue = [];
    this.head = 0;
    this.busy = false;
    if (this.reader.overflowed !== undefined) {
      this.finish(`${formatError("null", `line exceeds the limit of ${this.reader.overflowed} bytes; closing the connection`)}\n`);
      return;
    }
    if (this.eof) this.finish("");
    else this.flow();
  }

  /**
   * Replies to the started requests, in order, as they finish; empties `started`. False when the connection is
   * closing or gone (the pump stops; what is still running commits, its replies are dropped).
   */
  private async answer(started: Started[]): Promise<boolean> {
    for (const { bytes, outcome } of started.splice(0)) {
      const { reply, close } = await outcome;
      this.queuedBytes -= bytes;
      this.lastActive = Date.now();
      if (this.finishing || this.socket.destroyed) return false;
      if (close) {
        this.finish(`${reply}\n`);
        return false;
      }
      this.reply(`${reply}\n`);
      this.flow();
    }
    return true;
  }

  /** Queues a reply; the queue is written once everything written so far is committed (never what was not stored). */
  private reply(text: string): void {
    this.out += text;
    if (this.flushPending) return;
    this.flushPending = true;
    this.hub.store.afterCommit((committed) => {
      this.flushPending = false;
      const out = this.out;
      this.out = "";
      if (!committed) this.socket.destroy();
      else if (!this.socket.destroyed) this.socket.write(out);
      this.wakeOutput();
      this.flow();
    });
  }

  private wakeOutput(): void {
    const waiter = this.outputWaiter;
    if (!waiter) return;
    if (!this.gone && !this.finishing && this.outputBytes() > OUTPUT_HIGH_WATER_BYTES) return;
    this.outputWaiter = undefined;
    waiter();
  }

  /** Whether nothing is going on: no request queued or being answered, no lease held through this connection. */
  private idle(): boolean {
    return !this.busy && this.pendingCount() === 0 && this.session.leases.size === 0;
  }

  /** One timer per connection, at the next deadline: the auth timeout (until authenticated), then the idle timeout. */
  private armTimer(): void {
    clearTimeout(this.timer);
    if (this.gone || this.finishing) return;
    const { authTimeoutMs, idleTimeoutMs } = this.limits;
    const deadlines: number[] = [];
    if (!this.session.authed && authTimeoutMs > 0) deadlines.push(this.openedAt + authTimeoutMs);
    if (idleTimeoutMs > 0) deadlines.push(this.lastActive + idleTimeoutMs);
    if (deadlines.length === 0) return;
    this.timer = setTimeout(() => this.onTimer(), Math.max(0, Math.min(...deadlines) - Date.now()) + 1);
    this.timer.unref();
  }

  private onTimer(): void {
    if (this.gone || this.finishing) return;
    const now = Date.now();
    const { authTimeoutMs, idleTimeoutMs } = this.limits;
    if (!this.session.authed && authTimeoutMs > 0 && now - this.openedAt >= authTimeoutMs) {
      this.finish(
        `${formatError("null", `not authenticated within ${formatMs(authTimeoutMs)} (--auth-timeout); closing the connection`)}\n`,
        TIMEOUT_LINGER_MS,
      );
      return;
    }
    if (idleTimeoutMs > 0 && now - this.lastActive >= idleTimeoutMs) {
      if (this.idle()) {
        this.finish(`${formatError("null", `no request for ${formatMs(idleTimeoutMs)} (--idle-timeout); closing the connection`)}\n`, TIMEOUT_LINGER_MS);
        return;
      }
      this.lastActive = now; // busy (a long-poll, a lease held): the idle clock starts when that ends
    }
    this.armTimer();
  }

  /** Sends the last bytes and closes; reads and discards until the peer closes so the reply is not lost to a reset. */
  private finish(last: string, lingerMs = LINGER_MS): void {
    if (this.finishing) return;
    this.finishing = true;
    this.busy = false;
    this.queue = [];
    this.head = 0;
    this.queuedBytes = 0;
    this.reader.end();
    clearTimeout(this.timer);
    this.cancelBudgetWait?.();
    this.cancelBudgetWait = undefined;
    this.sync();
    this.wakeOutput();
    this.socket.resume();
    this.hub.store.afterCommit((committed) => {
      if (!committed) {
        this.socket.destroy();
        return;
      }
      const out = this.out + last;
      this.out = "";
      this.socket.end(out);
      this.sync();
    });
    const force = setTimeout(() => this.socket.destroy(), lingerMs);
    force.unref();
    this.socket.once("close", () => clearTimeout(force));
  }
}
