// The agent's connection to the hubs: reconnects with backoff while they are away, moves to the next hub of the list
// when one goes away, and keeps delivering an ack until the hub answers (the result in hand must not be lost).
import { setTimeout as wait } from "node:timers/promises";
import { type HubClient, HubUnavailableError, type ParamsArgument } from "../hub/client.ts";
import type { HubEndpoint } from "../hub/config.ts";
import { connectFirst, where } from "../hub/failover.ts";
import type { Method, MethodResults } from "../hub/protocol-types.ts";
import { EXIT_FAIL, MitteloError } from "../util/errors.ts";

/** A graceful stop could not reach the hub to deliver an ack before the task's lease ran out. */
export class AgentGaveUp extends MitteloError {
  constructor(message: string) {
    super("ack-undelivered", message, { exitCode: EXIT_FAIL });
  }
}

export interface ReconnectingHubOptions {
  /** The hubs sharing the queue, tried in order. */
  hubs: HubEndpoint[];
  token?: string | undefined;
  /** The lease length: on a graceful stop, how long an undelivered ack is retried. */
  leaseSeconds: number;
  /** A graceful stop: requests give up; deliveries go on until the lease of their task has run out. */
  signal: AbortSignal;
  /** A hard stop: everything gives up at once. */
  hardStop?: AbortSignal | undefined;
  log: (line: string) => void;
  /** Called before each wait for the next connection attempt (counted in the agent's stats). */
  onRetry?: () => void;
}

/** Waits `ms`, or less when `signal` aborts (then it resolves too: the caller checks the signal). */
const sleep = (ms: number, signal?: AbortSignal): Promise<void> => wait(ms, undefined, signal ? { signal } : {}).catch(() => {});

export class ReconnectingHub {
  private client: HubClient | undefined;
  /** One connection at a time, even when an ack and a lease both find it gone and reconnect at once. */
  private connecting: Promise<HubClient> | undefined;
  private backoff = 100;
  /** Deliveries (acks) not yet answered: while there are some, a graceful stop keeps reconnecting. */
  private deliveries = 0;
  /** The hub in use (index into hubs); after a failure the next one is tried first. */
  private current = 0;
  /** Set when a connection was lost: the next connect says where it landed. */
  private reconnecting = false;

  constructor(private readonly options: ReconnectingHubOptions) {}

  /** The connection in use, if any: for calls that must not wait for a reconnect (the heartbeat). */
  get connected(): HubClient | undefined {
    return this.client;
  }

  /** A call that gives up once the agent is stopping (a lease): reconnects until the hub answers otherwise. */
  request<M extends Method>(method: M, ...params: ParamsArgument<M>): Promise<MethodResults[M]> {
    return this.reliably(false, method, ...params);
  }

  /** A call whose outcome must reach the hub (an ack): reconnects until it answers, through a graceful stop too. */
  async deliver<M extends Method>(method: M, ...params: ParamsArgument<M>): Promise<MethodResults[M]> {
    this.deliveries++;
    try {
      return await this.reliably(true, method, ...params);
    } finally {
      this.deliveries--;
    }
  }

  /** Closes the connection in use: its pending calls fail at once instead of waiting for the hub. */
  close(): void {
    this.client?.close();
  }

  private async reliably<M extends Method>(delivery: boolean, method: M, ...params: ParamsArgument<M>): Promise<MethodResults[M]> {
    const { options } = this;
    while (true) {
      let used: HubClient | undefined;
      try {
        used = await this.ensureClient();
        return await used.call(method, ...params);
      } catch (error) {
        if (!(error instanceof HubUnavailableError)) throw error;
        if (used && this.client === used) {
          used.close();
          this.client = undefined;
          this.reconnecting = true;
          if (options.hubs.length > 1) {
            options.log(`${error.message}; moving to the next hub`);
            this.current = (this.current + 1) % options.hubs.length;
          }
        }
        if ((options.signal.aborted && !delivery) || options.hardStop?.aborted) throw error;
      }
    }
  }

  private ensureClient(): Promise<HubClient> {
    if (this.client) return Promise.resolve(this.client);
    this.connecting ??= this.connect()
      .then((c) => {
        this.client = c;
        return c;
      })
      .finally(() => {
        this.connecting = undefined;
      });
    return this.connecting;
  }

  /**
   * Connects, retrying with backoff while the hub is away. Gives up (HubUnavailableError) on a hard stop, and on a
   * graceful stop once the lease of the task in hand has run out: an ack after that would be refused anyway.
   */
  private async connect(): Promise<HubClient> {
    const { options } = this;
    let giveUpAt: number | undefined;
    while (true) {
      try {
        const { client, index } = await connectFirst(options.hubs, { token: options.token, timeoutMs: 5000 }, this.current);
        if (this.reconnecting || this.backoff > 100 || index !== this.current) options.log(`connected to ${where(options.hubs[index] as HubEndpoint)}`);
        this.current = index;
        this.reconnecting = false;
        this.backoff = 100;
        return client;
      } catch (error) {
        if (!(error instanceof HubUnavailableError)) throw error;
        if (options.hardStop?.aborted) throw error;
        if (options.signal.aborted) {
          if (this.deliveries === 0) throw error; // stopping, and no result to deliver
          giveUpAt ??= Date.now() + options.leaseSeconds * 1000;
          if (Date.now() >= giveUpAt)
            throw new AgentGaveUp(`${error.message}; stopping without delivering the ack (the hub re-leases the task when its lease expires)`);
        }
        options.log(`${error.message}; retrying in ${this.backoff} ms`);
        options.onRetry?.();
        await sleep(this.backoff, options.hardStop);
        this.backoff = Math.min(this.backoff * 2, 2000);
      }
    }
  }
}
