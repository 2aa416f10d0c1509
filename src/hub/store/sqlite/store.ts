// The SQLite store: one hub process, better-sqlite3 in WAL mode. Operations run synchronously inside the current
// group-commit transaction (so they apply in call order) and resolve at once; afterCommit releases replies when the
// batch commits. No other hub shares the file, so onChange never fires and hubs() is this hub alone.
import { hostname } from "node:os";
import type { Stats, TaskRow } from "../../task.ts";
import type { AckInput, EnqueueInput, Fenced, Holder, HubRecord, Leased, LeaseInput, ListedRow, ListQuery, Presence, Store, StoreChange } from "../store.ts";
import { ackTask } from "./ack.ts";
import { type Db, openDb } from "./db.ts";
import { enqueueTask } from "./enqueue.ts";
import { extendLease } from "./extend.ts";
import { getTask } from "./get.ts";
import { Checkpointer } from "./checkpointer.ts";
import { GroupCommit } from "./group-commit.ts";
import { leaseTasks } from "./lease.ts";
import { leasesAt, nextExpiry } from "./leases.ts";
import { listTasks } from "./list.ts";
import { retryFailed } from "./retry-failed.ts";
import { taskStats } from "./stats.ts";

const now = (): number => Date.now() / 1000;

export class SqliteStore implements Store {
  readonly kind = "sqlite" as const;
  readonly overlapsWrites = false;
  private readonly commits: GroupCommit;
  private presence: Presence | undefined;
  private readonly startedAt = now();
  private readonly checkpointer: Checkpointer | null;

  private constructor(
    readonly db: Db,
    readonly location: string,
  ) {
    this.commits = new GroupCommit(db);
    this.checkpointer = Checkpointer.start(db, location);
  }

  /** Opens (creating and migrating) the database file at `path`, or ":memory:". */
  static open(path: string): SqliteStore {
    return new SqliteStore(openDb(path), path);
  }

  enqueue(input: EnqueueInput): Promise<number> {
    return Promise.resolve(this.commits.write(() => enqueueTask(this.db, input, now())));
  }

  lease(input: LeaseInput): Promise<Leased> {
    const t = now();
    const tasks = this.commits.write(() => leaseTasks(this.db, input, t));
    const at = nextExpiry(this.db, t);
    return Promise.resolve({ tasks, nextExpiry: at === undefined ? undefined : { at, inMs: (at - t) * 1000 } });
  }

  ack(input: AckInput, holder: Holder): Promise<Fenced<true>> {
    const ok = this.commits.write(() => ackTask(this.db, input, holder, now()));
    return Promise.resolve(ok ? { ok: true, value: true } : { ok: false, row: getTask(this.db, input.task_id) });
  }

  extend(taskId: number, holder: Holder, leaseSeconds: number): Promise<Fenced<number>> {
    const t = now();
    const until = t + leaseSeconds;
    const ok = this.commits.write(() => extendLease(this.db, taskId, holder, until, t));
    return Promise.resolve(ok ? { ok: true, value: until } : { ok: false, row: getTask(this.db, taskId) });
  }

  get(taskId: number): Promise<TaskRow | undefined> {
    return Promise.resolve(getTask(this.db, taskId));
  }

  list(query: ListQuery): Promise<ListedRow[]> {
    return Promise.resolve(listTasks(this.db, query));
  }

  stats(): Promise<Stats> {
    return Promise.resolve(taskStats(this.db));
  }

  retryFailed(): Promise<number> {
    return Promise.resolve(this.commits.write(() => retryFailed(this.db, now())));
  }

  leases(): Promise<{ held: Map<string, number[]>; expired: number }> {
    return Promise.resolve(leasesAt(this.db, now()));
  }

  afterCommit(done: (committed: boolean) => void): void {
    this.commits.whenDurable(done);
  }

  onChange(_listener: (change: StoreChange) => void): void {
    // one hub per file: nobody else changes it
  }

  setPresence(presence: Presence): Promise<void> {
    this.presence = presence;
    return Promise.resolve();
  }

  hubs(): Promise<HubRecord[]> {
    const self = this.presence ?? { hubId: "local", listen: "", host: hostname(), pid: process.pid, version: "", waiting: [] };
    return Promise.resolve([{ ...self, startedAt: this.startedAt, seenAgoMs: 0 }]);
  }

  async close(): Promise<void> {
    this.commits.commit();
    await this.checkpointer?.stop();
    this.commits.commit(); // anything written while the worker stopped
    this.db.close();
  }
}
