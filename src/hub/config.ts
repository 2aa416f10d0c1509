// Hub settings: defaults, environment, and the refusal to expose an unauthenticated hub beyond loopback.
import { MitteloError } from "../util/errors.ts";
import { isLoopback } from "../util/loopback.ts";
import { parseBytes, parseDuration } from "../util/units.ts";
import { DEFAULT_LIMITS, type HubLimits } from "./limits.ts";
import { parseDbLocation } from "./store/location.ts";

export { isLoopback };

export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 8765;
export const DEFAULT_DB = ".mittelo/mittelo.db";
export const DEFAULT_LEASE_SECONDS = 60;
export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_MAX_LINE_BYTES = DEFAULT_LIMITS.maxLineBytes;
/** The shortest token accepted for a hub reachable beyond this machine. */
export const MIN_TOKEN_LENGTH = 16;

export interface HubConfig {
  host: string;
  port: number;
  /** A SQLite file path or a postgres:// URL (see store/location.ts). */
  db: string;
  /** PostgreSQL: connections in this hub's pool. */
  dbPoolSize?: number | undefined;
  leaseSeconds: number;
  maxAttempts: number;
  maxLineBytes: number;
  /** The rest of the memory budget (limits.ts); each one unset takes its default. */
  maxConnections?: number | undefined;
  authTimeoutMs?: number | undefined;
  idleTimeoutMs?: number | undefined;
  maxBufferedBytes?: number | undefined;
  maxPromptBytes?: number | undefined;
  maxResultBytes?: number | undefined;
  maxReplyBytes?: number | undefined;
  token?: string | undefined;
  restPort?: number | undefined;
  restHost?: string | undefined;
  allowInsecureBind?: boolean | undefined;
}

/** The budget of a hub: what the config sets, defaults for the rest. */
export function limitsOf(config: HubConfig): HubLimits {
  return {
    maxConnections: config.maxConnections ?? DEFAULT_LIMITS.maxConnections,
    authTimeoutMs: config.authTimeoutMs ?? DEFAULT_LIMITS.authTimeoutMs,
    idleTimeoutMs: config.idleTimeoutMs ?? DEFAULT_LIMITS.idleTimeoutMs,
    maxLineBytes: config.maxLineBytes,
    maxBufferedBytes: config.maxBufferedBytes ?? DEFAULT_LIMITS.maxBufferedBytes,
    maxPromptBytes: config.maxPromptBytes ?? DEFAULT_LIMITS.maxPromptBytes,
    maxResultBytes: config.maxResultBytes ?? DEFAULT_LIMITS.maxResultBytes,
    maxReplyBytes: config.maxReplyBytes ?? DEFAULT_LIMITS.maxReplyBytes,
  };
}

export interface HubEndpoint {
  host: string;
  port: number;
}

/**
 * Where clients connect: --hub host:port[,host:port…], else --host/--port, else MITTELO_HUB (the same list), else
 * MITTELO_HOST / MITTELO_PORT of `env`, else 127.0.0.1:8765. Clients use the first hub that answers and move on to the
 * next when one goes away. The token: --token, else MITTELO_TOKEN.
 */
export function clientEndpoints(
  options: { hub?: string | undefined; host?: string | undefined; port?: string | number | undefined; token?: string | undefined },
  env: Readonly<Record<string, string | undefined>>,
): { hubs: HubEndpoint[]; token?: string | undefined } {
  const token = options.token ?? (env.MITTELO_TOKEN || undefined);
  if (options.hub !== undefined) {
    if (options.host !== undefined || options.port !== undefined) {
      throw new MitteloError("usage", "give either --hub host:port[,host:port…] or --host/--port, not both");
    }
    return { hubs: parseHubList(options.hub, "--hub"), token };
  }
  if (options.host === undefined && options.port === undefined && env.MITTELO_HUB) return { hubs: parseHubList(env.MITTELO_HUB, "MITTELO_HUB"), token };
  const host = options.host ?? env.MITTELO_HOST ?? DEFAULT_HOST;
  const port = parsePort(options.port ?? env.MITTELO_PORT ?? DEFAULT_PORT, "--port");
  return { hubs: [{ host, port }], token };
}

/** The first of clientEndpoints (for commands that talk to one hub). */
export function clientEndpoint(
  options: { hub?: string | undefined; host?: string | undefined; port?: string | number | undefined; token?: string | undefined },
  env: Readonly<Record<string, string | undefined>>,
): { host: string; port: number; token?: string | undefined } {
  const { hubs, token } = clientEndpoints(options, env);
  return { ...(hubs[0] as HubEndpoint), token };
}

/** "host:port,tcp://host:port,[::1]:port" → endpoints (as --print-url prints them, with or without tcp://). */
export function parseHubList(value: string, flag: string): HubEndpoint[] {
  const hubs: HubEndpoint[] = [];
  for (const raw of value.split(",")) {
    const item = raw.trim().replace(/^tcp:\/\//, "");
    if (item === "") continue;
    const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d+)$/.exec(item);
    if (!m)
      throw new MitteloError("usage", `${flag}: "${raw.trim()}" is not host:port`, {
        hint: `e.g. ${flag === "--hub" ? "--hub" : `${flag}=`} 10.0.0.5:8765,10.0.0.6:8765`,
      });
    hubs.push({ host: (m[1] ?? m[2]) as string, port: parsePort(m[3] as string, flag) });
  }
  if (hubs.length === 0) throw new MitteloError("usage", `${flag} names no hub`, { hint: "give host:port[,host:port…]" });
  return hubs;
}

/** The database: --db, else MITTELO_DB of `env`, else .mittelo/mittelo.db. A relative path is made absolute. */
export function dbSetting(option: string | undefined, env: Readonly<Record<string, string | undefined>>): string {
  const where = option !== undefined ? "--db" : env.MITTELO_DB !== undefined ? "MITTELO_DB" : "--db";
  const location = parseDbLocation(option ?? env.MITTELO_DB ?? DEFAULT_DB, where);
  return location.kind === "sqlite" ? location.path : location.url;
}

export function parsePort(value: string | number, flag: string): number {
  const n = typeof value === "number" ? value : /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new MitteloError("usage", `${flag} must be a port number 0-65535, got "${value}"`);
  return n;
}

/** A size flag: bytes as an integer, or with a unit (`64KiB`, `8MiB`, `1GiB`). */
export function parseSize(value: string, flag: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : parseBytes(value);
  if (n === undefined || !Number.isSafeInteger(n) || n <= 0) {
    throw new MitteloError("usage", `${flag} must be a size in bytes such as 1048576 or 1MiB, got "${value}"`);
  }
  return n;
}

/** A duration flag: seconds as a number, or with a unit (`500ms`, `10s`, `5m`); 0 turns the timeout off. */
export function parseTimeout(value: string, flag: string): number {
  const ms = /^\d+(\.\d+)?$/.test(value.trim()) ? parseDuration(Number(value)) : parseDuration(value);
  if (ms === undefined) throw new MitteloError("usage", `${flag} must be a duration such as 10s, 5m or 500ms (0: never), got "${value}"`);
  return ms;
}

/** Why a token is too weak for a hub reachable beyond this machine, or undefined when it is fine. */
function weakToken(token: string): string | undefined {
  if (token.trim() === "") return "the token is only whitespace";
  if (token.length < MIN_TOKEN_LENGTH) return `the token has ${token.length} characters, fewer than ${MIN_TOKEN_LENGTH}`;
  return undefined;
}

/**
 * Refuses a non-loopback bind without a token, or with a whitespace-only or short one (fewer than 16 characters),
 * unless --allow-insecure-bind.
 */
export function checkBind(config: HubConfig): void {
  if (config.allowInsecureBind) return;
  const weak = config.token === undefined || config.token === "" ? undefined : weakToken(config.token);
  if (config.token && weak === undefined) return;
  for (const [flag, host] of [
    ["--host", config.host],
    ["--rest-host", config.restPort === undefined ? undefined : (config.restHost ?? config.host)],
  ] as const) {
    if (host === undefined || isLoopback(host)) continue;
    if (weak !== undefined) {
      throw new MitteloError("hub-weak-token", `refusing to listen on ${host} (${flag}): ${weak}; anyone who can reach it could guess it`, {
        hint: `use a random token of at least ${MIN_TOKEN_LENGTH} characters, e.g. MITTELO_TOKEN=$(openssl rand -hex 24)`,
      });
    }
    throw new MitteloError(
      "hub-insecure-bind",
      `refusing to listen on ${host} (${flag}) without a token: anyone who can reach it could read and change the queue`,
      { hint: "set --token or MITTELO_TOKEN (clients then authenticate), or pass --allow-insecure-bind if a proxy in front does that" },
    );
  }
}

export function urlHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
