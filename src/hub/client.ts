// A client of the hub's wire protocol, for the CLI, the dashboard, the agent and tests.
// Pipelining-safe: requests go out as they are called, replies are matched in order (and checked by id).
import net from "node:net";
import { EXIT_FAIL, MitteloError } from "../util/errors.ts";
import { urlHost } from "./config.ts";
import { LineReader } from "./line-reader.ts";
import type { Method, MethodParams, MethodResults } from "./protocol-types.ts";

/** Nothing listens at the address, or the connection dropped. */
export class HubUnavailableError extends MitteloError {
  constructor(message: string, cause?: unknown) {
    super("hub-unavailable", message, { exitCode: EXIT_FAIL, cause });
    this.name = "HubUnavailableError";
  }
}

/** The hub answered with an error reply. */
export class HubRequestError extends MitteloError {
  readonly method: string;
  constructor(method: string, message: string) {
    super("hub-request", message, { exitCode: EXIT_FAIL });
    this.name = "HubRequestError";
    this.method = method;
  }
}

export interface HubClientOptions {
  host: string;
  port: number;
  token?: string | undefined;
  /** Connect timeout, and the time a call may take beyond its own wait_ms (default 10000). */
  timeoutMs?: number | undefined;
  /** The longest reply line accepted; a longer one drops the connection (default 256 MiB). */
  maxReplyBytes?: number | undefined;
}

export const DEFAULT_MAX_REPLY_BYTES = 256 * 1024 * 1024;

/** The params of a method as call's rest argument: optional when the method requires none. Forward it with `...params`. */
export type ParamsArgument<M extends Method> = Record<string, never> extends MethodParams[M] ? [params?: MethodParams[M]] : [params: MethodParams[M]];

interface Pending {
  id: number;
  method: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout | undefined;
}

interface Reply {
  id: unknown;
  result: unknown;
  error: { message?: string } | null;
}

export class HubClient {
  private readonly pending: Pending[] = [];
  private nextId = 1;
  private closedError: Error | undefined;

  private constructor(
    private readonly socket: net.Socket,
    private readonly where: string,
    private readonly timeoutMs: number,
    maxReplyBytes: number,
  ) {
    const reader = new LineReader(maxReplyBytes);
    socket.on("data", (chunk: Buffer) => {
      for (const line of reader.push(chunk)) this.onLine(line);
      if (reader.overflowed !== undefined) this.broken(`the hub at ${this.where} sent a reply longer than ${maxReplyBytes} bytes`);
    });
    socket.on("error", () => {});
    socket.on("close", () => this.fail(new HubUnavailableError(`the connection to the hub at ${this.where} closed`)));
  }

  static connect(opts: HubClientOptions): Promise<HubClient> {
    const where = `${urlHost(opts.host)}:${opts.port}`;
    const timeoutMs = opts.timeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: opts.host, port: opts.port });
      const unavailable = (detail: string, cause?: unknown) =>
        new HubUnavailableError(`no hub at ${where} — start one with \`mittelo hub\`${detail ? ` (${detail})` : ""}`, cause);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(unavailable(`no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.once("error", (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(unavailable(error.code === "ECONNREFUSED" ? "" : (error.code ?? error.message), error));
      });
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.setNoDelay(true);
        const client = new HubClient(socket, where, timeoutMs, opts.maxReplyBytes ?? DEFAULT_MAX_REPLY_BYTES);
        if (!opts.token) return resolve(client);
        client.call("auth", { token: opts.token }).then(
          () => resolve(client),
          (error: Error) => {
            client.close();
            reject(error);
          },
        );
      });
    });
  }

  /**
   * Sends one request; resolves with its result, rejects with HubRequestError (error reply) or HubUnavailableError.
   * Method and params are typed from schemas/protocol.schema.json (a misspelt method or param does not compile); the
   * result is typed as the schema promises (what a hub sent is not validated here).
   */
  call<M extends Method>(method: M, ...[params]: ParamsArgument<M>): Promise<MethodResults[M]> {
    return this.send(method, params ?? {}) as Promise<MethodResults[M]>;
  }

  /**
   * Sends a method with params that are not type-checked: input the hub is left to check (a user's --status, a task
   * read from a file: the hub's refusal is the message), and tests of the hub's refusals. A known method's result is typed.
   */
  callUnchecked<M extends string>(method: M, params: Record<string, unknown> = {}): Promise<M extends Method ? MethodResults[M] : unknown> {
    return this.send(method, params) as Promise<M extends Method ? MethodResults[M] : unknown>;
  }

  private send(method: string, params: object): Promise<unknown> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise<unknown>((resolve, reject) => {
      const waitMs = "wait_ms" in params && typeof params.wait_ms === "number" ? params.wait_ms : 0;
      const entry: Pending = { id, method, resolve, reject, timer: undefined };
      if (this.timeoutMs > 0) {
        entry.timer = setTimeout(() => {
          // Replies are matched in order: after a timeout the stream is out of step, so the connection is dropped.
          this.fail(new HubUnavailableError(`the hub at ${this.where} did not answer ${method} within ${this.timeoutMs + waitMs} ms`));
          this.socket.destroy();
        }, this.timeoutMs + waitMs);
      }
      this.pending.push(entry);
      this.socket.write(`${JSON.stringify({ id, method, params })}\n`);
    });
  }

  close(): void {
    this.fail(new HubUnavailableError(`the connection to the hub at ${this.where} was closed by the client`));
    this.socket.end();
  }

  private onLine(line: string): void {
    let reply: Reply;
    try {
      reply = JSON.parse(line) as Reply;
    } catch {
      this.broken(`the hub at ${this.where} sent a line that is not JSON`);
      return;
    }
    if (reply === null || typeof reply !== "object" || Array.isArray(reply)) {
      this.broken(`the hub at ${this.where} sent a line that is not a reply object`);
      return;
    }
    const entry = this.pending[0];
    if (!entry) return; // e.g. the error reply before the hub closes the connection after a failed auth
    if (reply.id !== entry.id && reply.id !== null) {
      // broken() rejects every pending call, this one included, so none is left waiting.
      this.broken(`the hub at ${this.where} answered out of order`);
      return;
    }
    this.pending.shift();
    clearTimeout(entry.timer);
    if (reply.error) entry.reject(new HubRequestError(entry.method, reply.error.message ?? "error"));
    else entry.resolve(reply.result);
  }

  private broken(message: string): void {
    this.fail(new HubUnavailableError(message));
    this.socket.destroy();
  }

  private fail(error: Error): void {
    this.closedError ??= error;
    for (const entry of this.pending.splice(0)) {
      clearTimeout(entry.timer);
      entry.reject(this.closedError);
    }
  }
}
