// WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the COMMIT that crosses 1,000 WAL pages
// and fsyncs the database file there: one reply in a few hundred waited for it (several ms, the hub's lease+ack tail).
// The hub's connection turns it off (wal_autocheckpoint = 0); a worker thread with a connection of its own runs PASSIVE
// checkpoints, which never block the hub's writes, every CHECK_MS. When the worker cannot run, the hub's connection
// checkpoints as before. Durability is unchanged: a commit is in the WAL before its reply either way.
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { Db } from "./db.ts";

const CHECK_MS = 100;
/** SQLite's default wal_autocheckpoint, restored when the worker is gone. */
const AUTOCHECKPOINT_PAGES = 1000;

// CommonJS, evaluated by the worker (no file to find in the sources or in the dist/ bundle).
const WORKER = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma("busy_timeout = 0");
const timer = setInterval(() => {
  try { db.pragma("wal_checkpoint(PASSIVE)"); } catch {}
}, workerData.everyMs);
parentPort.once("message", () => { clearInterval(timer); db.close(); parentPort.close(); });
`;

export class Checkpointer {
  private readonly exited: Promise<void>;

  private constructor(private readonly worker: Worker) {
    this.exited = new Promise((resolve) => worker.once("exit", () => resolve()));
  }

  /** Starts checkpointing `path` (the database `db` has open) in a worker; null for ":memory:". */
  static start(db: Db, path: string): Checkpointer | null {
    if (path === ":memory:") return null;
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    const worker = new Worker(WORKER, { eval: true, workerData: { driver, path, everyMs: CHECK_MS } });
    worker.unref();
    db.pragma("wal_autocheckpoint = 0");
    const fallBack = () => {
      if (db.open) db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
    };
    worker.once("error", fallBack);
    worker.once("exit", fallBack);
    return new Checkpointer(worker);
  }

  /** Stops the worker (its connection closes; the hub's, closed last, checkpoints and removes the WAL). */
  stop(): Promise<void> {
    this.worker.ref(); // keeps the process alive until the worker has closed its connection
    this.worker.postMessage("stop");
    return this.exited;
  }
}
