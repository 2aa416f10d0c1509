// Group commit for PostgreSQL: the writes that arrive while a commit is in flight share the next transaction, so a
// commit (and its WAL flush) is paid once per batch instead of once per request; each write resolves only after its
// batch committed ("reply only after commit"). A lone write runs on its own, without BEGIN/COMMIT round trips.
// Writes of one batch are single statements that do not wait on each other; a batch that loses a deadlock or
// serialization race is run again (its statements re-check their conditions), twice at most.
// A batch that one bad write rolled back runs again one write at a time, so only that write fails.
// Lanes keep order: the writes of one lane (one client connection) run in the order they were made, in one batch or
// in batches that commit one after the other, never in two batches at once.
import type { Lane } from "../store.ts";
import type { Sql } from "./connect.ts";

interface Pending {
  run(sql: Sql): Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  lane: Lane | undefined;
}

/** Most writes in one transaction; the rest wait for the next batch. */
const MAX_BATCH = 256;
const RETRYABLE = new Set(["40P01", "40001"]); // deadlock detected, serialization failure

/**
 * Whether a batch failed on one write's data (a data exception, class 22, such as a NUL character in a text; or an
 * integrity constraint, class 23): the server rolled the whole transaction back, so each write can run again alone.
 * Not a lost connection, where the batch may have committed before the reply was lost.
 */
function rolledBackByOneWrite(error: unknown): boolean {
  return /^2[23]/.test((error as { code?: unknown }).code?.toString() ?? "");
}

export class PgGroupCommit {
  private queue: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;
  /** Lanes with writes in a batch that has not committed yet (one such batch at most per lane). */
  private readonly busyLanes = new Set<Lane>();

  /**
   * @param concurrency batches committing at once (each on its own pooled connection).
   * @param maxBatch most writes in one transaction.
   */
  constructor(
    private readonly sql: Sql,
    private readonly concurrency = 2,
    private readonly maxBatch = MAX_BATCH,
  ) {}

  write<T>(run: (sql: Sql) => Promise<T>, lane?: Lane): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (v: unknown) => void, reject, lane });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.concurrency || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  /** The next batch: writes in queue order, leaving for later those whose lane has an earlier write still pending. */
  private take(): Pending[] {
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    const held = new Set<Lane>();
    for (const p of this.queue) {
      const lane = p.lane;
      const waits = lane !== undefined && (held.has(lane) || this.busyLanes.has(lane));
      if (!waits && batch.length < this.maxBatch) {
        batch.push(p);
        continue;
      }
      rest.push(p);
      if (lane !== undefined) held.add(lane);
    }
    this.queue = rest;
    return batch;
  }

  private async flush(): Promise<void> {
    if (this.inFlight >= this.concurrency || this.queue.length === 0) return;
    const batch = this.take();
    if (batch.length === 0) return; // every write waits for its lane's batch in flight, which schedules again
    const lanes = new Set(batch.flatMap((p) => (p.lane === undefined ? [] : [p.lane])));
    for (const lane of lanes) this.busyLanes.add(lane);
    this.inFlight++;
    this.schedule(); // another batch may start meanwhile, up to `concurrency`
    try {
      const results = await this.commit(batch);
      for (const [i, p] of batch.entries()) p.resolve(results[i]);
    } catch (error) {
      if (batch.length > 1 && rolledBackByOneWrite(error)) await this.oneByOne(batch);
      else for (const p of batch) p.reject(error);
    } finally {
      for (const lane of lanes) this.busyLanes.delete(lane);
      this.inFlight--;
      this.schedule();
    }
  }

  /** Each write of a batch that one bad write rolled back, alone and in order: only that one fails. */
  private async oneByOne(batch: Pending[]): Promise<void> {
    for (const p of batch) {
      try {
        p.resolve(await p.run(this.sql));
      } catch (error) {
        p.reject(error);
      }
    }
  }

  private async commit(batch: Pending[]): Promise<unknown[]> {
    if (batch.length === 1) return [await (batch[0] as Pending).run(this.sql)];
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.sql.begin((tx) => Promise.all(batch.map((p) => p.run(tx as unknown as Sql))));
      } catch (error) {
        if (attempt >= 2 || !RETRYABLE.has((error as { code?: string }).code ?? "")) throw error;
      }
    }
  }
}
