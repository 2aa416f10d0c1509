// The change feed between hubs sharing a database: LISTEN/NOTIFY on one channel. Each hub ignores its own notices.
// - "available" (tasks may have become leasable): sent by the enqueue or retry statement itself, so it reaches the
//   other hubs at that write's commit. A NOTIFY holds a database-wide lock through its commit (WAL flush included), so
//   enqueue commits of all hubs take turns there; measured with 8 producers on 2 hubs, enqueue/s did not change
//   (docs/SCALING.md), and a wake-up across hubs is one round trip shorter.
// - "expiry" (a lease now expires at t): after every lease and extend, the frequent writes, so it is sent after the
//   write committed, coalesced to one notice per event-loop turn, from a connection of its own with synchronous_commit
//   off: that lock is then held without waiting for a WAL flush, and never holds up the pool's writes.
import type { Expiry, StoreChange } from "../store.ts";
import type { Sql } from "./connect.ts";

export const CHANNEL = "mittelo_tasks";

export class ChangeFeed {
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

  /** The "available" notice, for the enqueue and retry statements to send themselves. */
  get availableNotice(): string {
    return `${this.instanceId} a`;
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
    const at = this.expiry;
    this.expiry = undefined;
    if (at === undefined) return;
    // A lost notice delays a wake-up on another hub until its own timer or wait_ms; it never loses a task.
    await this.notifier`SELECT pg_notify(${CHANNEL}, ${`${this.instanceId} e ${at}`})`.catch(() => {});
  }
}
