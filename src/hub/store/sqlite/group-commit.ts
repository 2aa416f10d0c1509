// Group commit: the writes of every request handled in one turn of the event loop share one SQLite transaction,
// committed on setImmediate; replies are released only after the commit, so an acknowledged write is durable
// (to the WAL; see docs/PROTOCOL.md) while a commit costs once per batch instead of once per request.
import type { Db } from "./db.ts";

type Released = (committed: boolean) => void;

export class GroupCommit {
  private open = false;
  private waiting: Released[] = [];

  constructor(private readonly db: Db) {}

  /** Runs `fn` inside the current batch transaction (opening one if needed). */
  write<T>(fn: () => T): T {
    if (!this.open) {
      this.db.exec("BEGIN IMMEDIATE");
      this.open = true;
      setImmediate(() => this.commit());
    }
    return fn();
  }

  /** Calls `released(true)` once everything written so far is committed (at once when nothing is pending). */
  whenDurable(released: Released): void {
    if (this.open) this.waiting.push(released);
    else released(true);
  }

  /** Promise form of whenDurable; rejects when the commit failed. */
  durable(): Promise<void> {
    return new Promise((resolve, reject) => this.whenDurable((ok) => (ok ? resolve() : reject(new Error("the database commit failed")))));
  }

  /** Commits now (shutdown, and the scheduled end of each batch). */
  commit(): void {
    if (!this.open) return;
    this.open = false;
    let ok = true;
    try {
      this.db.exec("COMMIT");
    } catch {
      ok = false;
      try {
        this.db.exec("ROLLBACK");
      } catch {
        // already rolled back by SQLite
      }
    }
    const waiting = this.waiting;
    this.waiting = [];
    for (const released of waiting) released(ok);
  }
}
