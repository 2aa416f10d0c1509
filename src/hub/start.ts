// Runs a hub: store + core + TCP (+ REST), and one graceful close for shutdown, signals and tests.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { openFileLimit } from "../util/fd-limit.ts";
import { version } from "../util/version.ts";
import { checkBind, type HubConfig, limitsOf, urlHost } from "./config.ts";
import { ByteBudget } from "./byte-budget.ts";
import { Hub } from "./hub.ts";
import { CONNECTION_FLOOR_BYTES, fitConnections, type HubLimits } from "./limits.ts";
import { type RestServer, startRestServer } from "./rest.ts";
import { startTcpServer, type TcpServer } from "./server.ts";
import { openStore } from "./store/open.ts";
import type { Store } from "./store/store.ts";

export interface RunningHub {
  hub: Hub;
  store: Store;
  tcp: { host: string; port: number };
  rest?: { host: string; port: number } | undefined;
  /** Leases found in the database at start (valid ones, and expired ones to be re-leased). */
  outstanding: { valid: number; expired: number };
  /** The memory budget in force (the connection cap may be lower than asked: see `notes`). */
  limits: HubLimits;
  /** What the hub changed of its settings, and why (printed at start). */
  notes: string[];
  /** Connections open and bytes buffered now. */
  load(): { connections: number; bufferedBytes: number };
  /** Graceful stop: stop accepting, answer in-flight requests, close the database. Idempotent. */
  close(): Promise<void>;
  /** Resolves once the hub has stopped (after close(), or a client's `shutdown`). */
  closed: Promise<void>;
}

export async function startHub(config: HubConfig): Promise<RunningHub> {
  checkBind(config);
  const asked = limitsOf(config);
  const fitted = fitConnections(asked.maxConnections, openFileLimit(), { rest: config.restPort !== undefined, dbPool: config.dbPoolSize ?? 10 });
  const limits: HubLimits = { ...asked, maxConnections: fitted.maxConnections };
  const notes = fitted.lowered ? [fitted.lowered] : [];
  const budget = new ByteBudget(limits.maxBufferedBytes, CONNECTION_FLOOR_BYTES);
  const store = await openStore(config.db, { poolSize: config.dbPoolSize });
  const hub = new Hub(store, { leaseSeconds: config.leaseSeconds, maxAttempts: config.maxAttempts, token: config.token, limits });
  let tcp: TcpServer | undefined;
  let rest: RestServer | undefined;
  let outstanding: { valid: number; expired: number };
  try {
    const leases = await store.leases();
    outstanding = { valid: [...leases.held.values()].reduce((n, ids) => n + ids.length, 0), expired: leases.expired };
    tcp = await startTcpServer(hub, { host: config.host, port: config.port, limits, budget });
    if (config.restPort !== undefined) {
      rest = await startRestServer(hub, {
        host: config.restHost ?? config.host,
        port: config.restPort,
        limits,
        budget,
        token: config.token,
      });
    }
  } catch (error) {
    await tcp?.close();
    await store.close();
    throw error;
  }
  await hub.identify({ hubId: randomUUID(), listen: `${urlHost(tcp.host)}:${tcp.port}`, host: hostname(), pid: process.pid, version: version() });
  let closing: Promise<void> | undefined;
  let markClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  const close = (): Promise<void> => {
    closing ??= (async () => {
      hub.stop();
      await Promise.all([tcp?.close(), rest?.close()]);
      await store.close();
      markClosed();
    })();
    return closing;
  };
  hub.onShutdown(() => void close());
  return {
    hub,
    store,
    tcp: { host: tcp.host, port: tcp.port },
    rest: rest ? { host: rest.host, port: rest.port } : undefined,
    outstanding,
    limits,
    notes,
    load: () => ({ connections: tcp?.connections() ?? 0, bufferedBytes: budget.total }),
    close,
    closed,
  };
}
