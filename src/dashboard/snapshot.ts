// Polls the hub (hello, stats, list, workers) into a Snapshot, or an Offline state with a one-line reason. Never throws.
import { HubClient } from "../hub/client.ts";
import { urlHost } from "../hub/config.ts";
import type { ListParams } from "../hub/protocol-types.ts";
import { messageOf } from "../util/errors.ts";
import { type DashboardState, type Offline, type StatusFilter, startCommandFor, throughputOf, workersOf } from "./model.ts";
import { helloFeatures, helloVersion, statsOf, storeOf, tasksOf, waitingOf } from "./replies.ts";

export interface Endpoint {
  host: string;
  port: number;
  token?: string | undefined;
}

export interface PollOptions {
  filter: StatusFilter;
  /** How many recent tasks to list. */
  limit: number;
  /** Seconds until the next attempt, shown when offline. */
  retryInSeconds: number;
}

/** Done tasks read for the throughput figures (newest first). */
const DONE_LIMIT = 500;
const LEASED_LIMIT = 200;

/** host:port as shown and tried. */
export function addressOf(endpoint: Endpoint): string {
  return `${urlHost(endpoint.host)}:${endpoint.port}`;
}

/** One line saying why the hub could not be read. */
export function oneLineError(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as NodeJS.ErrnoException | undefined) : undefined;
  let text: string;
  if (cause?.code === "ECONNREFUSED") text = "connection refused: nothing listens there";
  else if (cause?.code) text = `${cause.code}: ${cause.message}`;
  else text = messageOf(error);
  const flat = text.replace(/\s+/g, " ").trim() || "unknown error";
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}

/** Settles within `ms` whatever the client does (a reply it never settles becomes an error, the poll never hangs). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no usable answer to ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A connection to the hub kept across polls; any failure drops it and the next poll reconnects. */
export class HubSource {
  private client: HubClient | undefined;
  private version = "";
  private features: string[] = [];
  private closed = false;

  constructor(
    readonly endpoint: Endpoint,
    private readonly timeoutMs: number,
  ) {}

  get address(): string {
    return addressOf(this.endpoint);
  }

  offline(error: unknown, retryInSeconds: number): Offline {
    return {
      kind: "offline",
      address: this.address,
      error: oneLineError(error),
      startCommand: startCommandFor(this.endpoint.host, this.endpoint.port),
      retryInSeconds,
      at: Date.now(),
    };
  }

  async poll(options: PollOptions): Promise<DashboardState> {
    try {
      const client = await within(this.connected(), this.timeoutMs * 2, "connect and hello");
      const list = (params: ListParams) => client.call("list", params);
      const [stats, recent, leased, done, workers, hubs] = await within(
        Promise.all([
          client.call("stats"),
          list({ limit: options.limit, ...(options.filter === "all" ? {} : { status: options.filter }) }),
          list({ status: "leased", limit: LEASED_LIMIT }),
          list({ status: "done", limit: DONE_LIMIT }),
          this.features.includes("workers") ? client.call("workers") : Promise.resolve({ workers: [] }),
          this.features.includes("hubs") ? client.call("hubs") : Promise.resolve(undefined),
        ]),
        this.timeoutMs,
        "stats and list",
      );
      const at = Date.now();
      const doneTasks = tasksOf(done);
      return {
        kind: "online",
        address: this.address,
        version: this.version,
        stats: statsOf(stats),
        filter: options.filter,
        tasks: tasksOf(recent).slice(0, options.limit),
        throughput: throughputOf(doneTasks, at, doneTasks.length >= DONE_LIMIT),
        workers: workersOf(tasksOf(leased), at),
        waiting: waitingOf(workers),
        store: hubs === undefined ? undefined : storeOf(hubs),
        at,
      };
    } catch (error) {
      this.drop();
      return this.offline(error, options.retryInSeconds);
    }
  }

  /** Puts failed tasks back in the queue; the reply or the error as one line. */
  async retryFailed(): Promise<string> {
    try {
      const client = await within(this.connected(), this.timeoutMs * 2, "connect and hello");
      const reply = (await within(client.call("retry_failed"), this.timeoutMs, "retry_failed")) as { retried?: unknown } | null;
      const n = typeof reply?.retried === "number" ? reply.retried : "?";
      return `retried ${n} failed task(s)`;
    } catch (error) {
      this.drop();
      return `retry failed: ${oneLineError(error)}`;
    }
  }

  close(): void {
    this.closed = true;
    this.drop();
  }

  private async connected(): Promise<HubClient> {
    if (this.client) return this.client;
    if (this.closed) throw new Error("the dashboard is closing");
    const client = await HubClient.connect({ ...this.endpoint, timeoutMs: this.timeoutMs });
    try {
      const hello = await client.call("hello");
      this.version = helloVersion(hello);
      this.features = helloFeatures(hello);
    } catch (error) {
      client.close();
      throw error;
    }
    if (this.closed) {
      client.close();
      throw new Error("the dashboard is closing");
    }
    this.client = client;
    return client;
  }

  private drop(): void {
    this.client?.close();
    this.client = undefined;
  }
}

/** One poll on a fresh connection, closed afterwards (for --once). */
export async function fetchSnapshot(endpoint: Endpoint, options: PollOptions & { timeoutMs: number }): Promise<DashboardState> {
  const source = new HubSource(endpoint, options.timeoutMs);
  try {
    return await source.poll(options);
  } finally {
    source.close();
  }
}
