// The change feed between hubs sharing a database: LISTEN/NOTIFY on one channel.
// Sent after the write committed, coalesced to at most one "available" and one "expiry" notice per event-loop turn,
// from a connection of its own with synchronous_commit off: a NOTIFY takes a database-wide lock until its commit,
// which must not wait for a WAL flush (nor hold up the pool's writes). Each hub ignores its own notices.
import type { Expiry, StoreChange } from "../store.ts";
import type { Sql } from "./connect.ts";

export const CHANNEL = "mittelo_tasks";

export class ChangeFeed {
  private available = false;
  private expiry: number | undefined;
  private scheduled = false;
  private closed = false;
  private unlisten: (() => Promise<void>) | undefined;

  /**
   * @param notifier a pool of one connection, synchronous_commit off.
   * @param listener the driver's LISTEN connection (it reconnects by itself; `onlisten` runs again then).
   */
  constructor(
    private readonly notifier: Sql,
    private readonly listener: Sql,
    private readonly instanceId: string,
  ) {}

  /** Starts listening; every notice from another hub, and every (re)connect of the listener, reaches `emit`. */
  async listen(emit: (change: StoreChange) => void, expiry: (at: number) => Expiry): Promise<void> {
    let first = true;
    const { unlisten } = await this.listener.listen(
      CHANNEL,
      (payload) => {
        const [from, kind, at] = payload.split(" ");
        if (from === this.instanceId) return;
        if (kind === "a") emit({ kind: "available" });
        else if (kind === "e" && at !== undefined && Number.isFinite(Number(at))) emit({ kind: "expiry", expiry: expiry(Number(at)) });
      },
      () => {
        // After a reconnect, notices sent meanwhile are lost: act as if anything may have changed.
        if (!first) emit({ kind: "available" });
        first = false;
      },
    );
    this.unlisten = unlisten;
  }

  /** Tasks may have become leasable (after an enqueue or retry committed). */
  tasksAvailable(): void {
    this.available = true;
    this.schedule();
  }

  /** A lease now expires at `at` (after a lease or extend committed). */
  leaseExpires(at: number): void {
    if (this.expiry === undefined || at < this.expiry) this.expiry = at;
    this.schedule();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    await this.unlisten?.().catch(() => {});
  }

  private schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const notices: string[] = [];
    if (this.available) notices.push(`${this.instanceId} a`);
    if (this.expiry !== undefined) notices.push(`${this.instanceId} e ${this.expiry}`);
    this.available = false;
    this.expiry = undefined;
    // A lost notice delays a wake-up on another hub until its own timer or wait_ms; it never loses a task.
    await Promise.all(notices.map((payload) => this.notifier`SELECT pg_notify(${CHANNEL}, ${payload})`.catch(() => {})));
  }
}
