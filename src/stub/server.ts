// The model stub server: one node:http server that answers every dialect's model calls deterministically,
// in a chosen mode, logging each request. `startStub` is the programmatic API the harness uses.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { MitteloError, messageOf } from "../util/errors.ts";
import { isLoopback } from "../util/loopback.ts";
import { BodyTooLarge, readBody } from "../util/read-body.ts";
import { type AnswerSource, answerFor } from "./answer.ts";
import { parseJson, sendJson } from "./http.ts";
import { type LogSummary, RequestLog, redactHeaders, redactPath } from "./log.ts";
import { errorMessage, errorStatus, garbageBody } from "./modes.ts";
import { dialects, findPlumbing, notFound } from "./routes.ts";
import { structuredAnswer } from "./structured.ts";
import type { Dialect, RequestRecord, StubMode } from "./types.ts";

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
  const slowMs = options.slowMs ?? 2000;
  const answer: AnswerSource = options.answer ?? { kind: "default" };
  const log = new RequestLog(options.log, { redact: options.redact, window: options.logWindow });
  const timers = new Set<NodeJS.Timeout>();
  let mode: StubMode = options.mode ?? "ok";
  let closing: Promise<void> | undefined;
  let pending = 0;
  let onDrained: (() => void) | undefined;

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  async function modelCall(dialect: Dialect, req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer, set: (f: Partial<RequestRecord>) => void) {
    const turn = dialect.turn({ method: req.method ?? "GET", url, headers: req.headers, body: parseJson(body), bytes: body.length });
    set({ model: turn.model ?? null });
    const current = mode;
    if (current === "hang") return;
    const status = errorStatus(current);
    if (status !== undefined) {
      sendJson(res, status, dialect.errorBody(status, errorMessage(status)), status === 429 ? { "retry-after": "1" } : {});
      return;
    }
    if (current === "garbage") {
      res.writeHead(200, { "content-type": turn.stream ? "text/event-stream" : "application/json" });
      res.end(garbageBody(turn.stream));
      return;
    }
    if (current === "slow") {
      await wait(slowMs);
      if (res.destroyed || closing) return;
    }
    const text = answerFor(answer, turn.prompt);
    dialect.reply(res, turn, turn.schema === undefined ? text : structuredAnswer(turn.schema, text));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://stub.invalid");
    const record: RequestRecord = {
      time: new Date().toISOString(),
      method,
      path: redactPath(url),
      dialect: null,
      model: null,
      bytes: 0,
      status: null,
      mode,
      ms: 0,
      headers: redactHeaders(req.headers),
    };
    const set = (fields: Partial<RequestRecord>) => Object.assign(record, fields);
    pending++;
    res.on("close", () => {
      if (--pending === 0) onDrained?.();
      record.status = res.headersSent ? res.statusCode : null;
      record.ms = Math.round(performance.now() - started);
      if (!res.writableFinished && !record.note) record.note = "aborted";
      log.add(record);
    });

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
    else if (dialect) await modelCall(dialect, req, res, url, body, set);
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

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) =>
      reject(
        new MitteloError("stub-listen", `the stub cannot listen on ${host}:${options.port ?? 0}: ${error.code ?? error.message}`, {
          hint: "choose another --port (0 picks a free one) or --host",
          cause: error,
        }),
      );
    server.once("error", onError);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(":") ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    mode: () => mode,
    setMode: (next) => {
      mode = next;
    },
    pending: () => pending,
    requests: () => log.all(),
    requestCount: () => log.count(),
    requestsSince: (mark) => log.since(mark),
    summary: () => log.summary(),
    close() {
      // Resolves once the listener is closed and every open request has been logged.
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        const drained = new Promise<void>((done) => {
          if (pending === 0) done();
          else onDrained = done;
        });
        const stopped = new Promise<void>((done) => server.close(() => done()));
        server.closeAllConnections();
        void Promise.all([drained, stopped]).then(() => resolve());
      });
      return closing;
    },
  };
}
