/* Generated from schemas/protocol.schema.json by scripts/gen-types.mjs. Do not edit: edit the schema and run `npm run gen`. */

/**
 * This interface was referenced by `MitteloHubWireProtocol`'s JSON-Schema
 * via the `definition` "status".
 */
export type Status = "queued" | "leased" | "done" | "failed";
/**
 * A Mittelo extension a hub announces in hello's features; a client asks before it relies on one. The hub announces every one of these, in this order (scripts/gen-types.mjs generates FEATURES from this list).
 *
 * This interface was referenced by `MitteloHubWireProtocol`'s JSON-Schema
 * via the `definition` "feature".
 */
export type Feature =
  | "fencing"
  | "extend"
  | "long-poll"
  | "attempts"
  | "routing"
  | "priority"
  | "auth"
  | "get"
  | "line-limit"
  | "workers"
  | "lease-seq"
  | "hubs"
  | "ack-lease"
  | "limits";
/**
 * This interface was referenced by `MitteloHubWireProtocol`'s JSON-Schema
 * via the `definition` "workerId".
 */
export type WorkerId = string;
/**
 * This interface was referenced by `MitteloHubWireProtocol`'s JSON-Schema
 * via the `definition` "taskId".
 */
export type TaskId = number;
/**
 * The fencing token of one lease of a task (the task's lease_seq when it was leased).
 *
 * This interface was referenced by `MitteloHubWireProtocol`'s JSON-Schema
 * via the `definition` "leaseSeq".
 */
export type LeaseSeq = number;
/**
 * This interface was referenced by `MitteloHubWireProtocol`'s JSON-Schema
 * via the `definition` "leaseSeconds".
 */
export type LeaseSeconds = number;
export type StatsParams = Record<string, never>;
export type RetryFailedParams = Record<string, never>;
export type ShutdownParams = Record<string, never>;
export type HelloParams = Record<string, never>;
export type WorkersParams = Record<string, never>;
export type HubsParams = Record<string, never>;

/**
 * JSONL over TCP: one request object per line, one reply per request, strictly in order. The REST adapter uses the same params and results. Unknown params are ignored (compatibility). `x-message` is the human text the hub uses when a value breaks the rule.
 */
export interface MitteloHubWireProtocol {
  [k: string]: unknown;
}
/**
 * One line sent by a client. `params` may be missing or null (= {}).
 *
 * This interface was referenced by `MitteloHubWireProtocol`'s JSON-Schema
 * via the `definition` "request".
 */
export interface Request {
  /**
   * Any JSON value; echoed byte-for-byte in the reply.
   */
  id?: unknown;
  method:
    | "enqueue"
    | "lease"
    | "ack"
    | "list"
    | "stats"
    | "retry_failed"
    | "shutdown"
    | "extend"
    | "get"
    | "hello"
    | "auth"
    | "workers"
    | "hubs";
  params?: {} | null;
}
/**
 * Exactly one of result and error is non-null.
 *
 * This interface was referenced by `MitteloHubWireProtocol`'s JSON-Schema
 * via the `definition` "reply".
 */
export interface Reply {
  id: unknown;
  result: {} | null;
  error: null | {
    message: string;
  };
}
/**
 * A task. The first nine fields are the reference protocol, in this order; the rest are Mittelo extensions.
 *
 * This interface was referenced by `MitteloHubWireProtocol`'s JSON-Schema
 * via the `definition` "task".
 */
export interface Task {
  task_id: number;
  prompt: string;
  status: Status;
  /**
   * epoch seconds (float)
   */
  created_at: number;
  /**
   * epoch seconds (float)
   */
  updated_at: number;
  /**
   * epoch seconds (float) while leased
   */
  leased_until: number | null;
  worker_id: string | null;
  /**
   * whatever the worker sent with ack (usually a string); null when unset
   */
  result: unknown;
  /**
   * whatever the worker sent with ack, or the hub's dead-letter reason; null when unset
   */
  error: unknown;
  /**
   * extension: how many times the task was leased
   */
  attempts?: number;
  /**
   * extension: expired leases before the task is failed
   */
  max_attempts?: number;
  /**
   * extension: only workers leasing with this backend get the task
   */
  backend?: string | null;
  /**
   * extension: higher is leased first
   */
  priority?: number;
  /**
   * extension: the fencing token of the task's current (or last) lease; send it back with ack/extend so a re-sent ack is recognised
   */
  lease_seq?: number;
  /**
   * extension, list only: these fields were cut (a result or error cut becomes a string: the start of its JSON text) and end with a marker; get returns them in full
   */
  truncated?: ("prompt" | "result" | "error")[];
}
/**
 * This interface was referenced by `MitteloHubWireProtocol`'s JSON-Schema
 * via the `definition` "stats".
 */
export interface Stats {
  queued: number;
  leased: number;
  done: number;
  failed: number;
}
/**
 * The params object of each method. Its keys are the protocol's one list of methods (scripts/gen-types.mjs generates METHODS, MethodParams and MethodResults from them): the reference methods first, then the Mittelo extensions, each marked `x-extension: true`. The results below and the request's method enum list the same methods in the same order.
 *
 * This interface was referenced by `MitteloHubWireProtocol`'s JSON-Schema
 * via the `definition` "params".
 */
export interface MethodParams {
  enqueue: EnqueueParams;
  lease: LeaseParams;
  ack: AckParams;
  list: ListParams;
  stats: StatsParams;
  retry_failed: RetryFailedParams;
  shutdown: ShutdownParams;
  extend: ExtendParams;
  get: GetParams;
  hello: HelloParams;
  auth: AuthParams;
  workers: WorkersParams;
  hubs: HubsParams;
}
export interface EnqueueParams {
  prompt: string;
  backend?: string | null;
  priority?: number;
  max_attempts?: number;
}
export interface LeaseParams {
  worker_id?: WorkerId;
  max_tasks?: number;
  lease_seconds?: LeaseSeconds;
  wait_ms?: number;
  /**
   * @maxItems 100
   */
  backends?: string[];
}
export interface AckParams {
  task_id: TaskId;
  status: string;
  worker_id?: WorkerId;
  lease_seq?: LeaseSeq;
  result?: unknown;
  error?: unknown;
  /**
   * extension (feature ack-lease): once the ack is applied, lease the next tasks in the same request (params as lease; worker_id defaults to the ack's; wait_ms is not honoured: an empty result means send a lease). The result then carries them as tasks.
   */
  lease?: {
    worker_id?: WorkerId;
    max_tasks?: number;
    lease_seconds?: LeaseSeconds;
    /**
     * @maxItems 100
     */
    backends?: string[];
  };
}
export interface ListParams {
  status?: "queued" | "leased" | "done" | "failed" | null;
  limit?: number;
  /**
   * extension: only tasks with a smaller task_id: the next page after a reply with more: true
   */
  before?: number;
  /**
   * extension: cut prompt, result and error to this many UTF-8 bytes (default 1024; at most the hub's max_reply_bytes)
   */
  text_bytes?: number;
}
export interface ExtendParams {
  task_id: TaskId;
  worker_id?: WorkerId;
  lease_seq?: LeaseSeq;
  lease_seconds?: LeaseSeconds;
}
export interface GetParams {
  task_id: TaskId;
}
export interface AuthParams {
  token: string;
}
/**
 * The result object of each method.
 *
 * This interface was referenced by `MitteloHubWireProtocol`'s JSON-Schema
 * via the `definition` "results".
 */
export interface MethodResults {
  enqueue: EnqueueResult;
  lease: LeaseResult;
  ack: AckResult;
  list: ListResult;
  stats: StatsResult;
  retry_failed: RetryFailedResult;
  shutdown: ShutdownResult;
  extend: ExtendResult;
  get: GetResult;
  hello: HelloResult;
  auth: AuthResult;
  workers: WorkersResult;
  hubs: HubsResult;
}
export interface EnqueueResult {
  task_id: number;
}
export interface LeaseResult {
  tasks: Task[];
}
export interface AckResult {
  ok: true;
  /**
   * extension: this ack was already applied (a re-send by the same holder for the same lease)
   */
  repeated?: true;
  /**
   * extension: the tasks leased by the ack's lease param
   */
  tasks?: Task[];
}
export interface ListResult {
  tasks: Task[];
  stats: Stats;
  /**
   * extension: the hub's reply budget (max_reply_bytes) stopped the list before limit; list with before = the last task_id reads on
   */
  more?: true;
}
export interface StatsResult {
  stats: Stats;
}
export interface RetryFailedResult {
  retried: number;
}
export interface ShutdownResult {
  ok: true;
}
export interface ExtendResult {
  leased_until: number;
}
export interface GetResult {
  task: Task;
}
export interface HelloResult {
  server: "mittelo";
  version: string;
  protocol: number;
  /**
   * The hub's extensions, values of $defs/feature (a newer hub may send more: a client ignores what it does not know).
   */
  features: string[];
  /**
   * extension: where the queue is stored
   */
  store?: "sqlite" | "postgres";
  /**
   * extension (feature limits): the hub's budget. Bytes are UTF-8; 0 for a timeout means none.
   */
  limits?: {
    /**
     * the longest request line; a longer one closes the connection
     */
    max_line_bytes?: number;
    /**
     * the longest prompt enqueue accepts
     */
    max_prompt_bytes?: number;
    /**
     * the longest result, and error, an ack may carry (as JSON text)
     */
    max_result_bytes?: number;
    /**
     * what one list reply holds at most
     */
    max_reply_bytes?: number;
    /**
     * a lease hands out at most this many tasks, whatever max_tasks asks
     */
    max_tasks_per_lease?: number;
    /**
     * list cuts each prompt, result and error to this by default
     */
    list_text_bytes?: number;
    /**
     * a connection with nothing going on for this long is closed
     */
    idle_timeout_ms?: number;
    /**
     * with a token: a connection not authenticated by then is closed
     */
    auth_timeout_ms?: number;
  };
}
export interface AuthResult {
  ok: true;
}
export interface WorkersResult {
  /**
   * Every worker waiting in a long-poll lease or holding a valid lease, sorted by worker_id.
   */
  workers: {
    /**
     * The worker_id it sent with lease ("worker" when it sent none).
     */
    worker_id: string;
    /**
     * A lease request of this worker is parked in a long-poll right now.
     */
    waiting: boolean;
    /**
     * The task ids whose valid lease it holds, ascending.
     */
    tasks: number[];
  }[];
}
export interface HubsResult {
  store: {
    kind: "sqlite" | "postgres";
    /**
     * The SQLite file, or postgres://user@host:port/dbname (never a password).
     */
    location: string;
  };
  /**
   * The hubs sharing the store whose heartbeat is fresh (this one included), oldest first.
   */
  hubs: {
    hub_id: string;
    /**
     * host:port of its TCP listener
     */
    listen: string;
    /**
     * the machine's host name
     */
    host: string;
    pid: number;
    version: string;
    /**
     * epoch seconds
     */
    started_at: number;
    /**
     * since its last heartbeat
     */
    seen_ago_ms: number;
    /**
     * lease requests parked in its long-polls
     */
    waiting: number;
    /**
     * the hub that answered
     */
    self: boolean;
  }[];
}

/** A method of the hub protocol. */
export type Method = keyof MethodParams;

/** Every method of the protocol, in the schema's order; `extension` marks a Mittelo extension (`x-extension` in the schema). */
export const METHODS: { readonly [M in Method]: { readonly extension: boolean } } = {
  enqueue: { extension: false },
  lease: { extension: false },
  ack: { extension: false },
  list: { extension: false },
  stats: { extension: false },
  retry_failed: { extension: false },
  shutdown: { extension: false },
  extend: { extension: true },
  get: { extension: true },
  hello: { extension: true },
  auth: { extension: true },
  workers: { extension: true },
  hubs: { extension: true },
};

/** Every feature a hub announces in hello, in the schema's order (`$defs/feature`). */
export const FEATURES: readonly Feature[] = ["fencing", "extend", "long-poll", "attempts", "routing", "priority", "auth", "get", "line-limit", "workers", "lease-seq", "hubs", "ack-lease", "limits"];
