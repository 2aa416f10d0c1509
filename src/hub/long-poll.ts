// Long-poll: lease requests that found nothing wait here until enqueue/retry/expiry wakes them or wait_ms passes.
// No polling loop: wake() is called by the operations that make tasks available, plus one timer at the next lease expiry.

interface Waiter {
  /** Tries again; true when the waiter is settled (got tasks, or its connection is gone). */
  attempt(): boolean;
  /** Settles with nothing (timeout, shutdown). */
  giveUp(): void;
  /** Whether a failed attempt proves nothing is leasable for anyone (an unrouted lease). */
  unrouted: boolean;
  /** The worker that sent the lease (for `workers`). */
  workerId: string;
  timer: NodeJS.Timeout;
}

export class LongPoll {
  private waiters: Waiter[] = [];
  private wakeScheduled = false;
  private expiryTimer: NodeJS.Timeout | undefined;

  /** @param nextExpiryMs when the next valid lease expires (epoch ms), or undefined. */
  constructor(private readonly nextExpiryMs: () => number | undefined) {}

  get size(): number {
    return this.waiters.length;
  }

  /** The workers with a lease request parked here now, in arrival order (a worker may wait more than once). */
  waitingWorkers(): string[] {
    return this.waiters.map((w) => w.workerId);
  }

  /** Parks a waiter; `giveUp` runs after waitMs unless an attempt succeeds first. */
  add(attempt: () => boolean, giveUp: () => void, waitMs: number, unrouted: boolean, workerId: string): void {
    const waiter: Waiter = {
      attempt,
      giveUp,
      unrouted,
      workerId,
      timer: setTimeout(() => {
        this.remove(waiter);
        giveUp();
      }, waitMs),
    };
    this.waiters.push(waiter);
    this.armExpiry();
  }

  /** Schedules one wake-up pass (coalesces many enqueues in the same tick). */
  wake(): void {
    if (this.wakeScheduled || this.waiters.length === 0) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      this.runWake();
    });
  }

  /** Settles every waiter with nothing (shutdown). */
  close(): void {
    clearTimeout(this.expiryTimer);
    const all = this.waiters;
    this.waiters = [];
    for (const w of all) {
      clearTimeout(w.timer);
      w.giveUp();
    }
  }

  private runWake(): void {
    for (const waiter of [...this.waiters]) {
      if (waiter.attempt()) {
        this.remove(waiter);
      } else if (waiter.unrouted) {
        break; // an unrouted lease found nothing: nothing is leasable for anyone
      }
    }
    this.armExpiry();
  }

  private remove(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    const i = this.waiters.indexOf(waiter);
    if (i >= 0) this.waiters.splice(i, 1);
    if (this.waiters.length === 0) clearTimeout(this.expiryTimer);
  }

  /** One timer at the next lease expiry while anyone waits. */
  private armExpiry(): void {
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    if (this.waiters.length === 0) return;
    const at = this.nextExpiryMs();
    if (at === undefined) return;
    this.expiryTimer = setTimeout(() => this.runWake(), Math.max(0, at - Date.now()) + 1);
  }
}
