// The REST transport: the same protocol module as TCP behind a few HTTP routes. JSON in, JSON out, 4xx/5xx on errors.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { messageOf } from "../util/errors.ts";
import { BodyTooLarge, readBody } from "../util/read-body.ts";
import { version } from "../util/version.ts";
import type { ByteBudget } from "./byte-budget.ts";
import { HTTP_STATUS, ProtocolError } from "./errors.ts";
import { type Hub, PROTOCOL_VERSION } from "./hub.ts";
import type { HubLimits } from "./limits.ts";
import { callMethod } from "./protocol.ts";
import type { Method } from "./protocol-types.ts";
import { newSession } from "./session.ts";

type Params = Record<string, unknown>;

interface Route {
  method: "GET" | "POST";
  /** OpenAPI-style path: /tasks/{task_id}. */
  path: string;
  /** 2xx status on success. */
  status: number;
  auth: boolean;
  run(hub: Hub, match: { id?: string; query: URLSearchParams; body: Params }): unknown | Promise<unknown>;
}

/** Runs a method for a route; the params are checked against the schema as on TCP (the method name is checked here, by its type). */
const call = (hub: Hub, method: Method, params: Params) => callMethod(hub, newSession(true), method, params);

/** Every route the adapter serves (the OpenAPI test checks this list against schemas/rest.openapi.json). */
export const ROUTES: readonly Route[] = [
  {
    method: "GET",
    path: "/health",
    status: 200,
    auth: false,
    run: () => ({ ok: true, server: "mittelo", version: version(), protocol: PROTOCOL_VERSION }),
  },
  { method: "GET", path: "/stats", status: 200, auth: true, run: (hub) => call(hub, "stats", {}) },
  { method: "GET", path: "/tasks", status: 200, auth: true, run: (hub, { query }) => call(hub, "list", listParams(query)) },
  {
    method: "GET",
    path: "/tasks/{task_id}",
    status: 200,
    auth: true,
    run: (hub, { id }) => call(hub, "get", { task_id: integerParam("get", "task_id", decoded(id)) }),
  },
  { method: "POST", path: "/tasks", status: 201, auth: true, run: (hub, { body }) => call(hub, "enqueue", body) },
  { method: "POST", path: "/tasks/retry_failed", status: 200, auth: true, run: (hub) => call(hub, "retry_failed", {}) },
  { method: "POST", path: "/shutdown", status: 200, auth: true, run: (hub) => call(hub, "shutdown", {}) },
];

function listParams(query: URLSearchParams): Params {
  const params: Params = {};
  const status = query.get("status");
  if (status) params.status = status;
  const limit = query.get("limit");
  if (limit !== null && limit !== "") params.limit = integerParam("list", "limit", limit);
  return params;
}

/** A path segment, percent-decoded; a malformed escape is the client's error (400), not ours. */
function decoded(segment: string | undefined): string | undefined {
  if (segment === undefined) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ProtocolError("invalid", `malformed percent-encoding in the path segment "${segment}"`);
  }
}

function durable(hub: Hub): Promise<void> {
  return new Promise((resolve, reject) => hub.store.afterCommit((ok) => (ok ? resolve() : reject(new Error("the database commit failed")))));
}

function integerParam(method: string, name: string, text: string | undefined): unknown {
  if (text !== undefined && /^-?\d+$/.test(text)) return Number(text);
  throw new ProtocolError(method === "get" ? "not_found" : "invalid", `${method}: ${name} must be an integer, got "${text}"`);
}

/** Finds the route for a path; `allowed` lists the methods of a path that exists. */
function match(path: string): { routes: Route[]; id?: string } {
  const routes = ROUTES.filter((r) => r.path === path);
  if (routes.length > 0) return { routes };
  const m = /^\/tasks\/([^/]+)$/.exec(path);
  if (m) return { routes: ROUTES.filter((r) => r.path === "/tasks/{task_id}"), id: m[1] as string }; // decoded after auth
  return { routes: [] };
}

export interface RestServer {
  host: string;
  port: number;
  close(): Promise<void>;
}

interface RestOptions {
  host: string;
  port: number;
  limits: HubLimits;
  /** Shared with the TCP transport: request bodies count against the hub's --max-buffered-bytes. */
  budget: ByteBudget;
  token?: string | undefined;
}

export function startRestServer(hub: Hub, options: RestOptions): Promise<RestServer> {
  const server = http.createServer((req, res) => {
    handle(hub, options, req, res).catch((error: unknown) => send(res, 500, { error: { message: `internal error: ${messageOf(error)}` } }));
  });
  server.keepAliveTimeout = 5000;
  // The same budget as TCP: a cap on connections (more are dropped), and slow or stalled requests time out.
  server.maxConnections = options.limits.maxConnections;
  const requestTimeout = options.limits.authTimeoutMs > 0 ? Math.max(options.limits.authTimeoutMs, 30_000) : 300_000;
  server.headersTimeout = Math.min(requestTimeout, 60_000);
  server.requestTimeout = requestTimeout;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: options.host, port: options.port, backlog: 511 }, () => {
      server.off("error", reject);
      resolve({
        host: options.host,
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
          }),
      });
    });
  });
}

async function handle(hub: Hub, options: RestOptions, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? "/", "http://hub");
  const { routes, id } = match(url.pathname);
  if (routes.length === 0) return send(res, 404, { error: { message: `no route ${req.method} ${url.pathname}` } });
  const route = routes.find((r) => r.method === req.method);
  if (!route) {
    res.setHeader("Allow", routes.map((r) => r.method).join(", "));
    return send(res, 405, { error: { message: `${req.method} is not allowed on ${url.pathname}; use ${routes.map((r) => r.method).join(" or ")}` } });
  }
  if (route.auth && options.token && req.headers.authorization !== `Bearer ${options.token}`) {
    res.setHeader("WWW-Authenticate", 'Bearer realm="mittelo"');
    return send(res, 401, { error: { message: "authentication required: send Authorization: Bearer <token>" } });
  }
  try {
    const body = route.method === "POST" ? await readParams(req, res, options.limits.maxLineBytes, options.budget) : {};
    const result = await route.run(hub, { ...(id === undefined ? {} : { id }), query: url.searchParams, body });
    await durable(hub); // answer only what is committed
    send(res, route.status, result);
  } catch (error) {
    if (error instanceof ProtocolError) return send(res, HTTP_STATUS[error.kind], { error: { message: error.message } });
    throw error;
  }
}

/**
 * The body as a JSON object, at most `max` bytes; while it is read it counts against the budget (reading waits when
 * over). A body over the limit is not read on: the answer closes the connection.
 */
async function readParams(req: http.IncomingMessage, res: http.ServerResponse, max: number, budget: ByteBudget): Promise<Params> {
  let body: Buffer;
  try {
    body = await readBody(req, max, budget);
  } catch (error) {
    if (!(error instanceof BodyTooLarge)) throw error;
    res.setHeader("Connection", "close");
    throw new ProtocolError("too_large", `request body exceeds the limit of ${max} bytes`);
  }
  const text = body.toString("utf8").trim();
  if (text === "") return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ProtocolError("invalid", `malformed JSON body: ${messageOf(error)}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new ProtocolError("invalid", "the request body must be a JSON object");
  return value as Params;
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}
