// The model stub server: one node:http server that answers every dialect's model calls deterministically,
// in a chosen mode, logging each request. `startStub` is the programmatic API the harness uses.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { MitteloError, messageOf } from "../util/errors.ts";
import { isLoopback } from "../util/loopback.ts";
import { BodyTooLarge, readBody } from "../util/read-body.ts";
import type { AnswerSource } from "./answer.ts";
import { sendJson } from "./http.ts";
import { type LogSummary, RequestLog, redactHeaders, redactPath } from "./log.ts";
import { answerModelCall, type ModelCallContext } from "./model-call.ts";
import { errorMessage } from "./modes.ts";
import { dialects, findPlumbing, notFound } from "./routes.ts";
import type { RequestRecord, StubMode } from "./types.ts";

export interface StubOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Default ok. */
  mode?: StubMode;
  /** Default: the text after "Return exactly:" in the last user message, else that message. */
  answer?: AnswerSource;
  /** Append one JSONL line per request to this file. */
  log?: string;
  /** Applied to every value of a request record (headers, path, model) before it is kept or logged. */
  redact?: (text: string) => string;
  /** Largest accepted request body; larger ones get 413. Default 16 MiB. */
  maxBodyBytes?: number;
  /** Delay before the first byte in `slow` mode. Default 2000 ms. */
  slowMs?: number;
  /** Request records kept in memory (the latest ones; the --log file gets all). Default 1000. */
  logWindow?: number;
  /** Listen on a non-loopback address (the stub has no authentication). Default false: refused. */
  allowInsecureBind?: boolean;
}

export interface StubServer {
  /** http://HOST:PORT, no trailing slash. */
  url: string;
  host: string;
  port: number;
  mode(): StubMode;
  /** Change the mode for the following requests (one server for several runs). */
  setMode(mode: StubMode): void;
  /** Requests received and not yet answered or abandoned (the hanging ones in `hang` mode). */
  pending(): number;
  /** How many requests arrived so far: a mark for openSince. */
  arrivals(): number;
  /** The requests still open (not answered, not abandoned) that arrived since a mark, oldest first. */
  openSince(mark: number): RequestRecord[];
  /** The latest requests answered (or abandoned), oldest first: a window of `logWindow` records. */
  requests(): RequestRecord[];
  /** How many requests were answered (or abandoned) so far: a mark for requestsSince. */
  requestCount(): number;
  /** The requests since a mark that are still in the window, and how many since the mark are not. */
  requestsSince(mark: number): { records: RequestRecord[]; omitted: number };
  /** Totals over every request so far: count, body bytes, requests per endpoint and status. */
  summary(): LogSummary;
  /** Stops listening, destroys open sockets (hanging requests included). Idempotent. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY = 16 * 1024 * 1024;

export async function startStub(options: StubOptions = {}): Promise<StubServer> {
  const host = options.host ?? "127.0.0.1";
  if (!isLoopback(host) && !options.allowInsecureBind) {
    throw new MitteloError("stub-insecure-bind", `refusing to listen on ${host}: the stub has no authentication, anyone who can reach it could use it`, {
      hint: "keep the default --host 127.0.0.1, or pass --allow-insecure-bind if the stub must be reachable from other machines",
    });
  }
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const log = new RequestLog(options.log, { redact: options.redact, window: options.logWindow });
  const timers = new Set<NodeJS.Timeout>();
  const open = new OpenRequests();
  let mode: StubMode = options.mode ?? "ok";
  let closing: Promise<void> | undefined;
  const calls: ModelCallContext = {
    mode: () => mode,
    answer: options.answer ?? { kind: "default" },
    slowMs: options.slowMs ?? 2000,
    wait: (ms) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, ms);
        timers.add(timer);
      }),
    closing: () => closing !== undefined,
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://stub.invalid");
    const set = open.track(req, res, url, mode, log);
    const plumbing = findPlumbing(method, url, req.headers.upgrade);
    const dialect = plumbing ? undefined : dialects.find((d) => d.matches(method, url));
    set({ dialect: plumbing?.dialect ?? dialect?.name ?? null, ...(plumbing?.note ? { note: plumbing.note } : {}) });
    let body: Buffer;
    try {
      body = await readBody(req, limit);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      set({ note: "too-large" });
      req.resume();
      const message = `${errorMessage(413)}: ${error.message}, the limit is ${limit}`;
      sendJson(res, 413, dialect ? dialect.errorBody(413, message) : { error: { code: 413, message } }, { connection: "close" });
      return;
    }
    set({ bytes: body.length });
    if (plumbing) plumbing.answer(res);
    else if (dialect) await answerModelCall({ dialect, req, res, url, body, set }, calls);
    else {
      set({ note: "unknown-route" });
      notFound(res, method, url.pathname);
    }
  }

  const server = createServer({ keepAlive: true }, (req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) sendJson(res, 500, { error: { code: 500, message: `mittelo stub: internal error: ${messageOf(error)}` } });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;
  const port = await listen(server, host, options.port ?? 0);
  const urlHost = host.includes(":") ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    mode: () => mode,
    setMode: (next) => {
      mode = next;
    },
    pending: () => open.count,
    arrivals: () => open.arrivals,
    openSince: (mark) => open.since(mark),
    requests: () => log.all(),
    requestCount: () => log.count(),
    requestsSince: (mark) => log.since(mark),
    summary: () => log.summary(),
    close() {
      // Resolves once the listener is closed and every open request has been logged.
      closing ??= (async () => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        const drained = open.drained();
        const stopped = new Promise<void>((done) => server.close(() => done()));
        server.closeAllConnections();
        await Promise.all([drained, stopped]);
      })();
      return closing;
    },
  };
}

/** The requests received and not yet answered or abandoned; each one's record is logged when its response closes. */
class OpenRequests {
  arrivals = 0;
  /** The open requests' records, by arrival number. */
  private readonly records = new Map<number, RequestRecord>();
  private onDrained: (() => void) | undefined;

  get count(): number {
    return this.records.size;
  }

  /** The open requests that arrived since a mark (an earlier value of `arrivals`), oldest first. */
  since(mark: number): RequestRecord[] {
    return [...this.records].filter(([arrival]) => arrival >= mark).map(([, record]) => record);
  }

  /** Starts the request's record; returns the setter of its fields. The record is logged when the response closes. */
  track(req: IncomingMessage, res: ServerResponse, url: URL, mode: StubMode, log: RequestLog): (fields: Partial<RequestRecord>) => void {
    const started = performance.now();
    const record: RequestRecord = {
      time: new Date().toISOString(),
      method: req.method ?? "GET",
      path: redactPath(url),
      dialect: null,
      model: null,
      bytes: 0,
      status: null,
      mode,
      ms: 0,
      headers: redactHeaders(req.headers),
    };
    const arrival = this.arrivals++;
    this.records.set(arrival, record);
    res.on("close", () => {
      this.records.delete(arrival);
      if (this.count === 0) this.onDrained?.();
      record.status = res.headersSent ? res.statusCode : null;
      record.ms = Math.round(performance.now() - started);
      if (!res.writableFinished && !record.note) record.note = "aborted";
      log.add(record);
    });
    return (fields) => Object.assign(record, fields);
  }

  /** Resolves when no request is open. */
  drained(): Promise<void> {
    return new Promise<void>((done) => {
      if (this.count === 0) done();
      else this.onDrained = done;
    });
  }
}

/** Listens on host:port (0: any free port) and resolves with the port; a clear error when it cannot. */
function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) =>
      reject(
        new MitteloError("stub-listen", `the stub cannot listen on ${host}:${port}: ${error.code ?? error.message}`, {
          hint: "choose another --port (0 picks a free one) or --host",
          cause: error,
        }),
      );
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}
