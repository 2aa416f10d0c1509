// Group commit for PostgreSQL: the writes that arrive while a commit is in flight share the next transaction, so a
// commit (and its WAL flush) is paid once per batch instead of once per request; each write resolves only after its
// batch committed ("reply only after commit"). A lone write runs on its own, without BEGIN/COMMIT round trips.
// Writes of one batch are single statements that do not wait on each other; a batch that loses a deadlock or
// serialization race is run again (its statements re-check their conditions), twice at most.
import type { Sql } from "./connect.ts";

interface Pending {
  run(sql: Sql): Promise<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Most writes in one transaction; the rest wait for the next batch. */
const MAX_BATCH = 256;
const RETRYABLE = new Set(["40P01", "40001"]); // deadlock detected, serialization failure

export class PgGroupCommit {
  private queue: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;

  /** @param concurrency batches committing at once (each on its own pooled connection). */
  constructor(
    private readonly sql: Sql,
    private readonly concurrency = 2,
  ) {}

  write<T>(run: (sql: Sql) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ run, resolve: resolve as (v: unknown) => void, reject });
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

  private async flush(): Promise<void> {
    if (this.inFlight >= this.concurrency || this.queue.length === 0) return;
    const batch = this.queue.splice(0, MAX_BATCH);
    this.inFlight++;
    this.schedule(); // another batch may start meanwhile, up to `concurrency`
    try {
      const results = await this.commit(batch);
      for (const [i, p] of batch.entries()) p.resolve(results[i]);
    } catch (error) {
      for (const p of batch) p.reject(error);
    } finally {
      this.inFlight--;
      this.schedule();
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
