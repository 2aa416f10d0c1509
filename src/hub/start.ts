// Runs a hub: store + core + TCP (+ REST), and one graceful close for shutdown, signals and tests.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { version } from "../util/version.ts";
import { checkBind, type HubConfig, urlHost } from "./config.ts";
import { Hub } from "./hub.ts";
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
  /** Graceful stop: stop accepting, answer in-flight requests, close the database. Idempotent. */
  close(): Promise<void>;
  /** Resolves once the hub has stopped (after close(), or a client's `shutdown`). */
  closed: Promise<void>;
}

export async function startHub(config: HubConfig): Promise<RunningHub> {
  checkBind(config);
  const store = await openStore(config.db, { poolSize: config.dbPoolSize });
  const hub = new Hub(store, { leaseSeconds: config.leaseSeconds, maxAttempts: config.maxAttempts, token: config.token });
  let tcp: TcpServer | undefined;
  let rest: RestServer | undefined;
  let outstanding: { valid: number; expired: number };
  try {
    const leases = await store.leases();
    outstanding = { valid: [...leases.held.values()].reduce((n, ids) => n + ids.length, 0), expired: leases.expired };
    tcp = await startTcpServer(hub, { host: config.host, port: config.port, maxLineBytes: config.maxLineBytes });
    if (config.restPort !== undefined) {
      rest = await startRestServer(hub, {
        host: config.restHost ?? config.host,
        port: config.restPort,
        maxBodyBytes: config.maxLineBytes,
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
    close,
    closed,
  };
}
