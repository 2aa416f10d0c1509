// Runs a hub: database + core + TCP (+ REST), and one graceful close for shutdown, signals and tests.
import { checkBind, type HubConfig } from "./config.ts";
import { Hub } from "./hub.ts";
import { type RestServer, startRestServer } from "./rest.ts";
import { startTcpServer, type TcpServer } from "./server.ts";
import { openDb } from "./store/db.ts";
import { outstandingLeases } from "./store/leases.ts";
import { nowSeconds } from "./task.ts";

export interface RunningHub {
  hub: Hub;
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
  const db = openDb(config.dbPath);
  const hub = new Hub(db, { leaseSeconds: config.leaseSeconds, maxAttempts: config.maxAttempts, token: config.token });
  let tcp: TcpServer | undefined;
  let rest: RestServer | undefined;
  try {
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
    db.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  let markClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  const close = (): Promise<void> => {
    closing ??= (async () => {
      hub.stop();
      await Promise.all([tcp?.close(), rest?.close()]);
      hub.commits.commit();
      db.close();
      markClosed();
    })();
    return closing;
  };
  hub.onShutdown(() => void close());
  return {
    hub,
    tcp: { host: tcp.host, port: tcp.port },
    rest: rest ? { host: rest.host, port: rest.port } : undefined,
    outstanding: outstandingLeases(db, nowSeconds()),
    close,
    closed,
  };
}
