// The TCP transport: JSONL per connection, replies strictly in request order (pipelining), bounded lines and queues.
import net from "node:net";
import { handleLine } from "./protocol.ts";
import type { Hub } from "./hub.ts";
import { LineReader } from "./line-reader.ts";
import { newSession } from "./session.ts";
import { formatError } from "./wire.ts";

export const LISTEN_BACKLOG = 511;
/** Requests buffered per connection before we stop reading from it (backpressure). */
const MAX_QUEUED_LINES = 4096;
/** How long a connection we are closing may linger to read our last reply. */
const LINGER_MS = 5000;

export interface TcpServer {
  host: string;
  port: number;
  /** Stops accepting, answers requests already received, closes every connection. */
  close(): Promise<void>;
}

export function startTcpServer(hub: Hub, options: { host: string; port: number; maxLineBytes: number }): Promise<TcpServer> {
  const connections = new Set<Connection>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    const connection = new Connection(hub, socket, options.maxLineBytes, () => connections.delete(connection));
    connections.add(connection);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: options.host, port: options.port, backlog: LISTEN_BACKLOG }, () => {
      server.off("error", reject);
      const address = server.address() as net.AddressInfo;
      resolve({
        host: options.host,
        port: address.port,
        close: async () => {
          const closed = new Promise<void>((done) => server.close(() => done()));
          await Promise.all([...connections].map((c) => c.drainAndClose()));
          await closed;
        },
      });
    });
  });
}

class Connection {
  private readonly session;
  private readonly reader: LineReader;
  private queue: string[] = [];
  private head = 0;
  private busy = false;
  /** Replies waiting for the commit of their writes. */
  private out = "";
  private flushPending = false;
  private eof = false;
  private finishing = false;
  private readonly gone: Promise<void>;

  constructor(
    private readonly hub: Hub,
    private readonly socket: net.Socket,
    maxLineBytes: number,
    onGone: () => void,
  ) {
    this.session = newSession(!hub.requiresAuth);
    this.reader = new LineReader(maxLineBytes);
    socket.setNoDelay(true);
    this.gone = new Promise((resolve) =>
      socket.once("close", () => {
        this.session.closed = true;
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
    socket.on("drain", () => this.maybeResume());
  }

  /** Shutdown: answer what was received, then close. */
  drainAndClose(): Promise<void> {
    this.eof = true;
    if (!this.busy) void this.pump();
    const force = setTimeout(() => this.socket.destroy(), LINGER_MS);
    force.unref();
    return this.gone.finally(() => clearTimeout(force));
  }

  private onData(chunk: Buffer): void {
    if (this.finishing || this.eof) return; // closing: discard
    this.enqueue(this.reader.push(chunk));
    if (this.pendingCount() >= MAX_QUEUED_LINES) this.socket.pause();
    void this.pump();
  }

  private enqueue(lines: string[]): void {
    for (const line of lines) this.queue.push(line);
  }

  private pendingCount(): number {
    return this.queue.length - this.head;
  }

  /**
   * Answers the queued lines in order. Each reply is released once its writes are committed; replies that are ready
   * together go out in one write. A lease that waits (long-poll) holds back only the replies after it.
   */
  private async pump(): Promise<void> {
    if (this.busy || this.finishing) return;
    this.busy = true;
    while (this.head < this.queue.length) {
      const line = this.queue[this.head] as string;
      this.head++;
      const outcome = await handleLine(this.hub, this.session, line);
      if (this.finishing || this.socket.destroyed) return;
      if (outcome.close) {
        this.finish(`${outcome.reply}\n`);
        return;
      }
      this.reply(`${outcome.reply}\n`);
    }
    this.queue = [];
    this.head = 0;
    this.busy = false;
    if (this.reader.overflowed) {
      this.finish(`${formatError("null", `line exceeds the limit of ${this.reader.maxLineBytes} bytes; closing the connection`)}\n`);
      return;
    }
    if (this.eof) this.finish("");
    else this.maybeResume();
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
      else if (!this.socket.destroyed && !this.socket.write(out)) this.socket.pause();
    });
  }

  private maybeResume(): void {
    if (!this.finishing && this.socket.isPaused() && this.pendingCount() < MAX_QUEUED_LINES / 2 && !this.socket.writableNeedDrain) {
      this.socket.resume();
    }
  }

  /** Sends the last bytes and closes; reads and discards until the peer closes so the reply is not lost to a reset. */
  private finish(last: string): void {
    if (this.finishing) return;
    this.finishing = true;
    this.busy = false;
    this.queue = [];
    this.head = 0;
    this.socket.resume();
    this.hub.store.afterCommit((committed) => {
      if (!committed) {
        this.socket.destroy();
        return;
      }
      const out = this.out + last;
      this.out = "";
      this.socket.end(out);
    });
    const force = setTimeout(() => this.socket.destroy(), LINGER_MS);
    force.unref();
    this.socket.once("close", () => clearTimeout(force));
  }
}
