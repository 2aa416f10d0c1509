// Long-poll: lease requests that found nothing wait here until a wake-up (an enqueue or retry on this hub or, through
// the store's change feed, on another), a lease expiry, or wait_ms. No polling loop: one timer at the next expiry,
// which every lease reports (read in the same statement as the lease, so no expiry slips between the two).
import type { Expiry } from "./store/store.ts";

interface Waiter {
  /** Tries again; true when the waiter is settled (got tasks, or its connection is gone). */
  attempt(): Promise<boolean>;
  /** Settles with nothing (timeout, shutdown). */
  giveUp(): void;
  /** Whether a failed attempt proves nothing is leasable for anyone (an unrouted lease). */
  unrouted: boolean;
  /** The worker that sent the lease (for `workers`). */
  workerId: string;
  timer: NodeJS.Timeout;
  /** An attempt is in flight: a timeout or shutdown meanwhile gives up only if the attempt got nothing. */
  attempting: boolean;
  /** wait_ms passed (or shutdown) while an attempt was in flight. */
  done: boolean;
}

export class LongPoll {
  private waiters: Waiter[] = [];
  /** Bumped by every wake(): a lease that found nothing knows whether anything happened since it looked. */
  private generation = 0;
  private wakeScheduled = false;
  private running = false;
  private again = false;
  private closed = false;
  private expiryTimer: NodeJS.Timeout | undefined;
  /** The expiry (store clock) the timer is armed for. */
  private timerAt: number | undefined;

  /** @param onWaitingChange called when the set of waiting workers changes. */
  constructor(private readonly onWaitingChange: () => void = () => {}) {}

  get size(): number {
    return this.waiters.length;
  }

  /** Pass to add(): a mark of the wake-ups so far. */
  get mark(): number {
    return this.generation;
  }

  /** The workers with a lease request parked here now, in arrival order (a worker may wait more than once). */
  waitingWorkers(): string[] {
    return this.waiters.map((w) => w.workerId);
  }

  /**
   * Parks a waiter; `giveUp` runs after waitMs unless an attempt succeeds first. `since` is the mark taken before the
   * caller's own (empty) lease: a wake-up in between triggers an attempt at once, so none is missed. `expiry` is the
   * next expiry that lease reported.
   */
  add(
    attempt: () => Promise<boolean>,
    giveUp: () => void,
    waitMs: number,
    unrouted: boolean,
    workerId: string,
    since: number,
    expiry: Expiry | undefined,
  ): void {
    const waiter: Waiter = {
      attempt,
      giveUp,
      unrouted,
      workerId,
      attempting: false,
      done: false,
      timer: setTimeout(() => {
        if (waiter.attempting) {
          waiter.done = true;
          return;
        }
        this.remove(waiter);
        giveUp();
      }, waitMs),
    };
    this.waiters.push(waiter);
    this.onWaitingChange();
    if (since !== this.generation) this.schedule();
    this.expiryAt(expiry);
  }

  /** Tasks may be leasable: schedules one wake-up pass (coalesces many enqueues in the same tick). */
  wake(): void {
    this.generation++;
    this.schedule();
  }

  /**
   * A lease expires then (granted, moved, or the next one a lease reported): makes sure the waiters are woken by then.
   * The timer only ever moves earlier; when it fires, the leases of the wake-up pass report the next expiry.
   */
  expiryAt(expiry: Expiry | undefined): void {
    if (expiry === undefined || this.waiters.length === 0 || this.closed) return;
    if (this.timerAt !== undefined && this.timerAt <= expiry.at) return;
    clearTimeout(this.expiryTimer);
    this.timerAt = expiry.at;
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = undefined;
      this.timerAt = undefined;
      this.wake();
    }, Math.max(0, expiry.inMs) + 1);
  }

  /** Settles every waiter with nothing (shutdown); one whose attempt is in flight settles with what it gets. */
  close(): void {
    this.closed = true;
    clearTimeout(this.expiryTimer);
    const all = this.waiters;
    this.waiters = [];
    for (const w of all) {
      clearTimeout(w.timer);
      if (w.attempting) w.done = true;
      else w.giveUp();
    }
    if (all.length) this.onWaitingChange();
  }

  private schedule(): void {
    if (this.wakeScheduled || this.waiters.length === 0 || this.closed) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      void this.run();
    });
  }

  private async run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    do {
      this.again = false;
      for (const waiter of [...this.waiters]) {
        if (!this.waiters.includes(waiter)) continue;
        waiter.attempting = true;
        let settled: boolean;
        try {
          settled = await waiter.attempt();
        } catch {
          settled = false;
        }
        waiter.attempting = false;
        if (settled) {
          this.remove(waiter);
        } else if (waiter.done) {
          this.remove(waiter);
          waiter.giveUp();
        } else if (waiter.unrouted) {
          break; // an unrouted lease found nothing: nothing is leasable for anyone
        }
      }
    } while (this.again && this.waiters.length > 0 && !this.closed);
    this.running = false;
  }

  private remove(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    const i = this.waiters.indexOf(waiter);
    if (i >= 0) this.waiters.splice(i, 1);
    this.onWaitingChange();
    if (this.waiters.length === 0) {
      clearTimeout(this.expiryTimer);
      this.expiryTimer = undefined;
      this.timerAt = undefined;
    }
  }
}
