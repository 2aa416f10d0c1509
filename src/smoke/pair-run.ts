// The live parts of one pair smoke: a hub and two agents as real child processes, a client, and waits that
// poll in short steps against a deadline, the abort signal and the children's health. close() leaves nothing running.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { HubClient, type ParamsArgument } from "../hub/client.ts";
import type { Method, MethodResults } from "../hub/protocol-types.ts";
import type { StubMode } from "../stub/types.ts";
import type { Plan } from "../manifest/plan-types.ts";
import { packageFile } from "../util/package-root.ts";
import { type Child, LogBuffer, killNow, spawnNode, stopAll } from "./children.ts";

export const BIN = packageFile("bin", "mittelo.mjs");
const POLL_MS = 20;

export type Role = "a" | "b";
export const WORKERS: Record<Role, string> = { a: "pair-a", b: "pair-b" };

/** The smoke could not set itself up (hub or agent did not start): an ERROR, not a FAIL of the backends. */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly evidence: string,
  ) {
    super(message);
  }
}

export class AbortedError extends Error {}

export interface AgentSpec {
  backend: string;
  workerId: string;
  extraEnv?: Record<string, string>;
}

export interface PairRunOptions {
  manifest: string;
  /** The plan the smoke read: given to the agents as a file, so they start without reading the manifest again. */
  plan?: Plan;
  env: NodeJS.ProcessEnv;
  agents: Record<Role, AgentSpec>;
  /** --lease-seconds of the agents. */
  leaseSeconds: number;
  killGraceMs: number;
  startupMs: number;
  signal?: AbortSignal | undefined;
  /** The private hub's token: given to the hub and the agents in their environment (MITTELO_TOKEN), never as an argument. */
  token: string;
  /**
   * Each agent runs its backend against a model stub of its own, answering in this mode and logging to `logs[role]`:
   * the agent's classifier sees what its stub answered, and the pair smoke reads the logs afterwards.
   */
  stub?: { mode: StubMode; logs: Record<Role, string> } | undefined;
}

export class PairRun {
  readonly logs = { hub: new LogBuffer(), a: new LogBuffer(), b: new LogBuffer() };
  readonly started: Array<{ role: string; pid: number }> = [];
  readonly agents: Partial<Record<Role, Child>> = {};
  hub: Child | undefined;
  hubUrl: string | null = null;
  client: HubClient | undefined;
  private port = 0;
  private readonly dir = mkdtempSync(join(tmpdir(), "mittelo-pair-"));

  constructor(private readonly o: PairRunOptions) {}

  get dbPath(): string {
    return join(this.dir, "pair.db");
  }

  async startHub(): Promise<void> {
    let stdout = "";
    const args = [BIN, "hub", "--host", "127.0.0.1", "--port", "0", "--print-url", "--db", this.dbPath];
    this.hub = spawnNode("hub", args, { ...this.o.env, MITTELO_TOKEN: this.o.token }, this.logs.hub, (t) => {
      stdout += t;
    });
    this.started.push({ role: "hub", pid: this.hub.pid });
    const hub = this.hub;
    await this.waitStartup(
      () => /MITTELO_HUB tcp:\/\/127\.0\.0\.1:\d+\n/.test(stdout),
      "the hub to listen",
      () => this.checkAlive(hub, "the hub", this.logs.hub),
    );
    const m = /MITTELO_HUB (tcp:\/\/127\.0\.0\.1:(\d+))/.exec(stdout);
    this.hubUrl = m?.[1] ?? null;
    this.port = Number(m?.[2]);
    this.client = await HubClient.connect({ host: "127.0.0.1", port: this.port, token: this.o.token, timeoutMs: 5000 });
  }

  /** Starts an agent (again, for a restart: its log continues) and waits until it leases. */
  async startAgent(role: Role, extraEnv: Record<string, string> = {}): Promise<void> {
    const spec = this.o.agents[role];
    const log = this.logs[role];
    const mark = log.text.length;
    const args = [BIN, "agent", "--backend", spec.backend, "--host", "127.0.0.1", "--port", String(this.port), "--worker-id", spec.workerId];
    // --cancel-on-stop: when the smoke closes, the batch is over; a task still in hand is canceled, not finished.
    args.push("--wait", "1s", "--lease-seconds", String(this.o.leaseSeconds), "--manifest", this.o.manifest, "--no-preflight", "--cancel-on-stop");
    if (this.o.plan) {
      const file = join(this.dir, "plan.json");
      writeFileSync(file, JSON.stringify(this.o.plan));
      args.push("--plan-file", file);
    }
    if (this.o.stub) args.push("--stub-mode", this.o.stub.mode, "--stub-log", this.o.stub.logs[role]);
    const env = { ...this.o.env, ...spec.extraEnv, ...extraEnv, MITTELO_TOKEN: this.o.token };
    const child = spawnNode(`agent-${role}`, args, env, log);
    this.agents[role] = child;
    this.started.push({ role: `agent-${role}`, pid: child.pid });
    await this.waitStartup(
      () => log.text.slice(mark).includes("leasing from"),
      `agent ${role.toUpperCase()} to lease`,
      () => this.checkAlive(child, `agent ${role.toUpperCase()}`, log),
    );
  }

  /** Waits until the hub has a long-poll lease of every given worker parked (they are ready for the batch). */
  async waitWaiting(workerIds: string[]): Promise<void> {
    const ready = async () => {
      const { workers } = await this.call("workers");
      return workerIds.every((id) => workers.some((w) => w.worker_id === id && w.waiting));
    };
    await this.waitStartup(ready, `agents ${workerIds.join(", ")} to wait for tasks at the hub`, () => {
      for (const role of ["a", "b"] as const) {
        const child = this.agents[role];
        if (child) this.checkAlive(child, `agent ${role.toUpperCase()}`, this.logs[role]);
      }
    });
  }

  /** Chaos: SIGKILL to the agent's whole process group, at once. */
  async kill(role: Role): Promise<void> {
    const child = this.agents[role];
    if (!child) return;
    this.logs[role].append(`[pair-smoke] ${new Date().toISOString()} chaos: SIGKILL to agent ${role.toUpperCase()} (process group ${child.pid})\n`);
    await killNow(child);
    this.logs[role].append(`[pair-smoke] ${new Date().toISOString()} chaos: restarting agent ${role.toUpperCase()}\n`);
  }

  async enqueue(prompt: string): Promise<number> {
    const { task_id } = await this.call("enqueue", { prompt });
    return task_id;
  }

  call<M extends Method>(method: M, ...params: ParamsArgument<M>): Promise<MethodResults[M]> {
    if (!this.client) throw new StartupError("no hub connection", "");
    return this.client.call(method, ...params);
  }

  /** Polls `check` every few ms until it holds; false at the deadline. Throws AbortedError / StartupError. */
  async waitUntil(check: () => boolean | Promise<boolean>, deadline: number, health: () => void, what: string): Promise<boolean> {
    while (true) {
      if (this.o.signal?.aborted) throw new AbortedError(`interrupted while waiting for ${what}`);
      if (await check()) return true;
      health();
      if (Date.now() >= deadline) return false;
      await delay(POLL_MS);
    }
  }

  /** Like waitUntil, but running out of time is a StartupError. */
  private async waitStartup(check: () => boolean | Promise<boolean>, what: string, health: () => void): Promise<void> {
    if (!(await this.waitUntil(check, this.startDeadline(), health, what))) throw new StartupError(`timed out waiting for ${what}`, "");
  }

  private startDeadline(): number {
    return Date.now() + this.o.startupMs;
  }

  /** Health check while waiting: the hub (and the given child) must still be running. */
  checkAlive(child: Child, who: string, log: LogBuffer): void {
    if (!child.isRunning()) throw new StartupError(`${who} exited before it was ready`, lastLines(log.text));
    if (this.hub && !this.hub.isRunning()) throw new StartupError("the hub exited", lastLines(this.logs.hub.text));
  }

  /** Shutdown: `shutdown` to the hub, SIGTERM to everyone, SIGKILL to process groups after the grace; temp DB removed. */
  async close(): Promise<void> {
    const children = [this.agents.a, this.agents.b, this.hub].filter((c): c is Child => c !== undefined);
    const client = this.client;
    this.client = undefined;
    if (client) {
      await Promise.race([client.call("shutdown").catch(() => {}), delay(500, undefined, { ref: false })]);
      client.close();
    }
    await stopAll(children, this.o.killGraceMs);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function lastLines(text: string, n = 5): string {
  return text.trimEnd().split("\n").slice(-n).join("\n");
}
