// The PostgreSQL store: any number of hubs on one database. Every operation is one statement in its own
// transaction, so a reply (sent after the statement resolves) is always after its commit; the database's clock
// decides lease expiry; LISTEN/NOTIFY carries wake-ups between hubs.
import { randomUUID } from "node:crypto";
import type { Stats, TaskRow } from "../../task.ts";
import { redactUrl } from "../location.ts";
import type {
  AckInput,
  EnqueueInput,
  Expiry,
  Fenced,
  Holder,
  HubRecord,
  Lane,
  Leased,
  LeaseInput,
  ListedRow,
  ListQuery,
  Presence,
  Store,
  StoreChange,
} from "../store.ts";
import { ChangeFeed } from "./changes.ts";
import { connectPool, runtimeError, type Sql, startupError } from "./connect.ts";
import { ackTask, extendLease } from "./fenced.ts";
import { PgGroupCommit } from "./group-commit.ts";
import { leaseTasks } from "./lease.ts";
import { migrate } from "./migrations.ts";
import { forgetOldHubs, liveHubs, PresenceWriter } from "./presence.ts";
import { getTask, leasesNow, listTasks, taskStats } from "./queries.ts";
import { enqueueTask, retryFailed } from "./writes.ts";

export const DEFAULT_POOL_SIZE = 10;

/** Folds the counter rows of connections that are gone into one row, when there are many (at start). */
async function compactCounters(sql: Sql): Promise<void> {
  const [row] = await sql<{ n: number }[]>`SELECT count(*)::bigint AS n FROM status_counts`;
  if ((row?.n ?? 0) < 256) return;
  await sql`
    WITH gone AS (
      DELETE FROM status_counts WHERE ctid IN (
        SELECT ctid FROM status_counts
        WHERE shard <> 0 AND shard NOT IN (SELECT pid FROM pg_stat_activity WHERE pid IS NOT NULL)
        FOR UPDATE SKIP LOCKED)
      RETURNING status, n
    )
    INSERT INTO status_counts (status, shard, n) SELECT status, 0, sum(n) FROM gone GROUP BY status ORDER BY status
    ON CONFLICT (status, shard) DO UPDATE SET n = status_counts.n + excluded.n`;
}

export class PostgresStore implements Store {
  readonly kind = "postgres" as const;
  readonly overlapsWrites = true;
  readonly location: string;
  private readonly presence: PresenceWriter;
  private readonly commits: PgGroupCommit;
  private readonly listeners: ((change: StoreChange) => void)[] = [];
  /** The database's clock minus ours, in seconds (from the last lease). */
  private clockOffset = 0;

  private constructor(
    private readonly sql: Sql,
    private readonly feed: ChangeFeed,
    private readonly extra: Sql[],
    url: string,
  ) {
    this.location = redactUrl(url);
    this.presence = new PresenceWriter(sql);
    this.commits = new PgGroupCommit(sql);
  }

  /** Connects, migrates and starts listening; one clear error (MitteloError) when the database cannot be used. */
  static async open(url: string, options: { poolSize?: number | undefined } = {}): Promise<PostgresStore> {
    const sql = connectPool(url, { max: options.poolSize ?? DEFAULT_POOL_SIZE });
    const notifier = connectPool(url, { max: 1, synchronousCommit: false });
    const pools = [sql, notifier];
    try {
      await migrate(sql);
      await compactCounters(sql);
      await forgetOldHubs(sql);
      const feed = new ChangeFeed(notifier, sql, randomUUID());
      const store = new PostgresStore(sql, feed, [notifier], url);
      await feed.listen(
        (change) => {
          for (const listener of store.listeners) listener(change);
        },
        (at) => store.expiry(at),
      );
      return store;
    } catch (error) {
      await Promise.all(pools.map((p) => p.end({ timeout: 1 }).catch(() => {})));
      throw startupError(url, error);
    }
  }

  async enqueue(input: EnqueueInput, lane?: Lane): Promise<number> {
    const id = await this.write((sql) => enqueueTask(sql, input, this.feed.availableNotice), lane);
    return id;
  }

  async lease(input: LeaseInput, lane?: Lane): Promise<Leased> {
    const { tasks, nextExpiry, dbNow } = await this.write((sql) => leaseTasks(sql, input), lane);
    this.clockOffset = dbNow - Date.now() / 1000;
    if (tasks.length > 0) this.feed.leaseExpires(Math.min(...tasks.map((t) => t.leased_until ?? Number.POSITIVE_INFINITY)));
    return { tasks, nextExpiry: nextExpiry === undefined ? undefined : this.expiry(nextExpiry) };
  }

  ack(input: AckInput, holder: Holder, lane?: Lane): Promise<Fenced<true>> {
    return this.write((sql) => ackTask(sql, input, holder), lane);
  }

  async extend(taskId: number, holder: Holder, leaseSeconds: number, lane?: Lane): Promise<Fenced<number>> {
    const outcome = await this.write((sql) => extendLease(sql, taskId, holder, leaseSeconds), lane);
    if (outcome.ok) this.feed.leaseExpires(outcome.value);
    return outcome;
  }

  get(taskId: number): Promise<TaskRow | undefined> {
    return this.run(() => getTask(this.sql, taskId));
  }

  list(query: ListQuery): Promise<ListedRow[]> {
    return this.run(() => listTasks(this.sql, query));
  }

  stats(): Promise<Stats> {
    return this.run(() => taskStats(this.sql));
  }

  retryFailed(lane?: Lane): Promise<number> {
    return this.write((sql) => retryFailed(sql, this.feed.availableNotice), lane);
  }

  leases(): Promise<{ held: Map<string, number[]>; expired: number }> {
    return this.run(() => leasesNow(this.sql));
  }

  afterCommit(done: (committed: boolean) => void): void {
    done(true); // every operation resolved after its own commit
  }

  onChange(listener: (change: StoreChange) => void): void {
    this.listeners.push(listener);
  }

  setPresence(presence: Presence): Promise<void> {
    return this.presence.set(presence);
  }

  hubs(): Promise<HubRecord[]> {
    return this.run(() => liveHubs(this.sql));
  }

  async close(): Promise<void> {
    await this.presence.close();
    await this.feed.close();
    await Promise.all([this.sql, ...this.extra].map((p) => p.end({ timeout: 5 }).catch(() => {})));
  }

  /** An expiry on the database's clock, with the delay on ours. */
  private expiry(at: number): Expiry {
    return { at, inMs: (at - (Date.now() / 1000 + this.clockOffset)) * 1000 };
  }

  /** A write, through the group commit: resolves after its batch committed. */
  private write<T>(op: (sql: Sql) => Promise<T>, lane: Lane | undefined): Promise<T> {
    return this.run(() => this.commits.write(op, lane));
  }

  private async run<T>(op: () => Promise<T>): Promise<T> {
    try {
      return await op();
    } catch (error) {
      throw runtimeError(error);
    }
  }
}
