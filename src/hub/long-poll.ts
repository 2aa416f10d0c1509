// Long-poll: lease requests that found nothing wait here until a wake-up (an enqueue or retry on this hub or, through
// the store's change feed, on another), a lease expiry, or wait_ms. No polling loop: one timer at the next expiry.
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
  /** The expiry (store clock) the timer is armed for; undefined with `known` = no lease is outstanding. */
  private timerAt: number | undefined;
  /** Whether the next expiry is known (else it is read from the store when someone waits). */
  private known = false;

  /**
   * @param nextExpiry the next lease expiry, from the store.
   * @param onWaitingChange called when the set of waiting workers changes.
   */
  constructor(
    private readonly nextExpiry: () => Promise<Expiry | undefined>,
    private readonly onWaitingChange: () => void = () => {},
  ) {}

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
   * caller's own (empty) lease: a wake-up in between triggers an attempt at once, so none is missed.
   */
  add(attempt: () => Promise<boolean>, giveUp: () => void, waitMs: number, unrouted: boolean, workerId: string, since: number): void {
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
    if (!this.known) void this.arm();
  }

  /** Tasks may be leasable: schedules one wake-up pass (coalesces many enqueues in the same tick). */
  wake(): void {
    this.generation++;
    this.schedule();
  }

  /**
   * A lease was granted or moved: it expires at `at` (store clock), in `inMs` if known. Makes sure the waiters are woken
   * by then; a later expiry changes nothing, an earlier one re-arms the timer.
   */
  expiryAt(at: number, inMs?: number): void {
    if (this.waiters.length === 0) {
      this.known = false; // read again from the store when someone waits
      return;
    }
    if (this.known && this.timerAt !== undefined && this.timerAt <= at) return;
    if (inMs === undefined) void this.arm();
    else this.setTimer(at, inMs);
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
    await this.arm();
  }

  private remove(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    const i = this.waiters.indexOf(waiter);
    if (i >= 0) this.waiters.splice(i, 1);
    this.onWaitingChange();
    if (this.waiters.length === 0) {
      clearTimeout(this.expiryTimer);
      this.expiryTimer = undefined;
      this.known = false;
    }
  }

  /** Reads the next expiry from the store and sets the one timer (while anyone waits). */
  private async arm(): Promise<void> {
    if (this.waiters.length === 0 || this.closed) return;
    this.known = true;
    let next: Expiry | undefined;
    try {
      next = await this.nextExpiry();
    } catch {
      next = undefined;
      this.known = false;
    }
    if (this.waiters.length === 0 || this.closed) return;
    if (next === undefined) {
      clearTimeout(this.expiryTimer);
      this.expiryTimer = undefined;
      this.timerAt = undefined;
      return;
    }
    this.setTimer(next.at, next.inMs);
  }

  private setTimer(at: number, inMs: number): void {
    clearTimeout(this.expiryTimer);
    this.known = true;
    this.timerAt = at;
    this.expiryTimer = setTimeout(() => {
      this.expiryTimer = undefined;
      this.timerAt = undefined;
      this.known = false;
      this.wake();
    }, Math.max(0, inMs) + 1);
  }
}
