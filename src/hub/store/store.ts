// The one seam between the hub core and a database. Two implementations: SQLite (embedded, one hub process) and
// PostgreSQL (any number of hubs sharing one database). The core never sees SQL, a driver or a clock: a store keeps
// time itself (PostgreSQL uses the database's clock, so hubs on machines with skewed clocks agree on lease expiry).
import type { Stats, TaskRow, TaskStatus } from "../task.ts";

export type StoreKind = "sqlite" | "postgres";

export interface EnqueueInput {
  prompt: string;
  backend?: string | null | undefined;
  priority?: number | undefined;
  max_attempts?: number | undefined;
}

export interface LeaseInput {
  worker_id: string;
  max_tasks: number;
  lease_seconds: number;
  /** Only tasks without a backend or with one of these; undefined = any task. */
  backends?: string[] | undefined;
  /** Expired leases before a task is failed, for tasks without their own max_attempts (the hub's --max-attempts). */
  default_max_attempts: number;
}

/** What `list` reads: newest first, at most `limit` rows (> 0), below `beforeId` when set, texts cut. */
export interface ListQuery {
  status?: TaskStatus | undefined;
  limit: number;
  /** Only tasks with a smaller task_id (the next page after a reply that stopped at this id). */
  beforeId?: number | undefined;
  /** prompt, result_json and error_json are cut to this many characters (so a cut JSON text does not parse). */
  textChars: number;
}

/** A task as `list` reads it: its texts cut to ListQuery.textChars characters, and their full lengths beside. */
export interface ListedRow extends TaskRow {
  prompt_chars: number;
  result_chars: number | null;
  error_chars: number | null;
}

export interface AckInput {
  task_id: number;
  status: "done" | "failed";
  result?: unknown;
  error?: unknown;
}

/**
 * Who claims a lease, for fencing: the worker_id sent and/or the lease_seq (sent by the client, or the one its
 * connection received). At least one is set; every one that is set must match the task's current lease.
 */
export interface Holder {
  workerId?: string | undefined;
  leaseSeq?: number | undefined;
}

/** A fenced write: done, or refused because the lease does not match; then `row` is the task as it is now. */
export type Fenced<T> = { ok: true; value: T } | { ok: false; row: TaskRow | undefined };

export interface Expiry {
  /** Epoch seconds on the store's clock. */
  at: number;
  /** Milliseconds from now until then (on the store's clock: safe for a local timer). */
  inMs: number;
}

/** What a lease found: the tasks it took, and when the next lease expires (for the long-poll timer). */
export interface Leased {
  tasks: TaskRow[];
  /** The earliest expiry of a valid lease right after this lease (the new ones included); undefined when none. */
  nextExpiry: Expiry | undefined;
}

/** Something another hub did that may concern this hub's waiting leases (PostgreSQL only). */
export type StoreChange =
  /** Tasks may have become leasable (enqueue, retry_failed), or the change feed reconnected and events may be lost. */
  | { kind: "available" }
  /** A lease was granted or moved: it expires then, unless extended or acked. */
  | { kind: "expiry"; expiry: Expiry };

/** What a hub tells the others about itself (`hubs`, `workers` across hubs). */
export interface Presence {
  hubId: string;
  /** host:port of its TCP listener. */
  listen: string;
  host: string;
  pid: number;
  version: string;
  /** worker_ids parked in its long-polls now. */
  waiting: string[];
}

export interface HubRecord extends Presence {
  startedAt: number;
  /** Milliseconds since its last heartbeat. */
  seenAgoMs: number;
}

/**
 * The writes of one client connection. A store applies the writes of one lane in the order they were made, even when
 * the next one is made before the previous one resolved.
 */
export type Lane = object;

export interface Store {
  readonly kind: StoreKind;
  /** Where the data is, safe to print: a file path, or postgres://user@host:port/db (never a password). */
  readonly location: string;
  /**
   * Whether a write resolves only after a commit of its own round trip (PostgreSQL): then the hub starts a
   * connection's next writes without waiting for it, in the same lane, so they can share its commit. SQLite applies
   * each write at once, and holds the replies until its batch commits (afterCommit).
   */
  readonly overlapsWrites: boolean;

  /** Inserts a queued task; resolves with its id (from 1, never reused). */
  enqueue(input: EnqueueInput, lane?: Lane): Promise<number>;
  /**
   * Leases up to max_tasks: queued tasks and expired leases, highest priority first, then ascending task_id; each
   * lease bumps attempts and lease_seq. Expired leases that used up their attempts are failed first (dead letter).
   * A task is never handed to two callers at once, however many hubs share the store. Also says when the next lease
   * expires, read in the same statement, so a caller that found nothing and waits cannot miss an expiry.
   */
  lease(input: LeaseInput, lane?: Lane): Promise<Leased>;
  /** Completes a task if `holder` matches its current lease (compare-and-set); otherwise nothing changes. */
  ack(input: AckInput, holder: Holder, lane?: Lane): Promise<Fenced<true>>;
  /** Moves the expiry of the lease `holder` holds to now + leaseSeconds; resolves with the new leased_until. */
  extend(taskId: number, holder: Holder, leaseSeconds: number, lane?: Lane): Promise<Fenced<number>>;
  get(taskId: number): Promise<TaskRow | undefined>;
  /**
   * Newest first, optionally of one status, a page at a time. The texts come cut, so a page of tasks with huge
   * prompts or results costs no more memory than one of small tasks: the full text is read by `get` only.
   */
  list(query: ListQuery): Promise<ListedRow[]>;
  /** Counts per status, all four keys, without scanning the tasks. */
  stats(): Promise<Stats>;
  /** failed → queued, clearing worker, lease, result, error and attempts; resolves with how many. */
  retryFailed(lane?: Lane): Promise<number>;
  /** Valid leases by worker (task ids ascending), and how many leases have expired without being re-leased yet. */
  leases(): Promise<{ held: Map<string, number[]>; expired: number }>;
  /**
   * Calls `done(true)` once every write applied so far is durable, `done(false)` if it could not be committed.
   * Replies are released through it: a hub never confirms what is not stored.
   */
  afterCommit(done: (committed: boolean) => void): void;
  /** Listens to what other hubs sharing the store do. */
  onChange(listener: (change: StoreChange) => void): void;
  /** Publishes this hub's presence (kept fresh by the store while it is open; withdrawn by close); resolves once written. */
  setPresence(presence: Presence): Promise<void>;
  /** The hubs sharing the store now (this one included), oldest first. */
  hubs(): Promise<HubRecord[]>;
  /** Commits what is pending and releases the database. */
  close(): Promise<void>;
}
