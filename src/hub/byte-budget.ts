// One byte budget shared by every connection of a hub: what they have read and not yet answered, and answers not yet
// taken by their clients. A holder asks before it reads more; over the budget it waits (stops reading) until others
// release. Each holder may always use a small floor, so small requests keep flowing while big ones wait.
// A holder checks before each read, and one read adds at most a socket chunk (64 KiB): the total stays under
// limit + holders × (floor + one chunk).

export class ByteBudget {
  private used = 0;
  /** Holders waiting for room, oldest first. */
  private readonly waiting = new Set<() => void>();

  constructor(
    readonly limit: number,
    /** Bytes a holder may hold whatever the total is. */
    readonly floor: number,
  ) {}

  get total(): number {
    return this.used;
  }

  /** Adds (or with a negative `delta`, releases) bytes; wakes waiters when there is room again. */
  change(delta: number): void {
    this.used += delta;
    if (delta < 0 && this.waiting.size > 0 && this.used < this.limit) {
      const ready = [...this.waiting];
      this.waiting.clear();
      for (const wake of ready) wake();
    }
  }

  /** Whether a holder that holds `own` bytes may take more. */
  allows(own: number): boolean {
    return own < this.floor || this.used < this.limit;
  }

  /** Calls `ready` once when there is room. Returns a function that cancels the wait. */
  wait(ready: () => void): () => void {
    this.waiting.add(ready);
    return () => this.waiting.delete(ready);
  }
}
