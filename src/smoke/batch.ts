// Runs the batch through a started hub: the plain flow (both agents up, enqueue, wait) and the chaos flow
// (agent A killed with a task in hand and restarted; agent B's ack of one task delayed past its lease).
import { type PairRun, WORKERS } from "./pair-run.ts";

export interface BatchOptions {
  tasks: number;
  timeoutMs: number;
  nonce: string;
  /** Chaos: how long agent B delays its ack of one task (its lease is 1 s). */
  ackDelayMs: number;
}

export interface BatchOutcome {
  enqueued: Map<number, string>;
  timedOut: boolean;
  workMs: number;
  chaos?: { killedTask?: number; delayedTask?: number; restarts: number };
}

export const promptFor = (i: number, nonce: string) => `Return exactly: pair task ${i} ${nonce}`;

/**
 * Both agents up and waiting at the hub (a long-poll lease parked there: an agent that has only started could
 * miss the whole batch to a fast partner), then the whole batch, then wait until every task is done or failed,
 * or the timeout.
 */
export async function plainBatch(run: PairRun, o: BatchOptions): Promise<BatchOutcome> {
  await Promise.all([run.startAgent("a"), run.startAgent("b")]);
  await run.waitWaiting([WORKERS.a, WORKERS.b]);
  const started = Date.now();
  const enqueued = new Map<number, string>();
  const prompts = Array.from({ length: o.tasks }, (_, i) => promptFor(i + 1, o.nonce));
  const ids = await Promise.all(prompts.map((p) => run.enqueue(p)));
  for (const [i, id] of ids.entries()) enqueued.set(id, prompts[i] ?? "");
  const timedOut = !(await waitFinished(run, o.tasks, started + o.timeoutMs));
  return { enqueued, timedOut, workMs: Date.now() - started };
}

export async function chaosBatch(run: PairRun, o: BatchOptions): Promise<BatchOutcome> {
  const started = Date.now();
  const deadline = started + o.timeoutMs;
  const enqueued = new Map<number, string>();
  const add = async (i: number) => {
    const prompt = promptFor(i, o.nonce);
    const id = await run.enqueue(prompt);
    enqueued.set(id, prompt);
    return id;
  };
  const chaos: NonNullable<BatchOutcome["chaos"]> = { restarts: 0 };
  const finish = async (): Promise<BatchOutcome> => {
    const timedOut = !(await waitFinished(run, o.tasks, deadline));
    const workMs = Date.now() - started;
    // Agent B's late ack is still pending when the batch is done: wait for the hub's answer to it (accepted or fenced).
    const late = chaos.delayedTask;
    if (!timedOut && late !== undefined && run.agents.b?.isRunning()) {
      const answered = new RegExp(`task ${late}: (acked|ack rejected)`);
      await run.waitUntil(
        () => answered.test(run.logs.b.text),
        Date.now() + o.ackDelayMs + 5000,
        () => {},
        `agent B's ack of task ${late}`,
      );
    }
    return { enqueued, timedOut, workMs, chaos };
  };

  // 1. Agent A takes task 1 and holds it (its ack is held back), then its process group is killed.
  const first = await add(1);
  chaos.killedTask = first;
  await run.startAgent("a", { MITTELO_CHAOS_ACK_DELAY_MS: `${first}:600000` });
  const held = await run.waitUntil(
    () => leasedBy(run, first, "a"),
    deadline,
    () => {},
    `agent A to lease task ${first}`,
  );
  if (!held) return finish();
  await run.kill("a");

  // 2. Agent B takes task 2 and acks it only after its lease expired: someone else has it by then (fenced ack).
  const second = await add(2);
  chaos.delayedTask = second;
  await run.startAgent("b", { MITTELO_CHAOS_ACK_DELAY_MS: `${second}:${o.ackDelayMs}` });
  await run.waitUntil(
    () => leasedBy(run, second, "b"),
    deadline,
    () => {},
    `agent B to lease task ${second}`,
  );

  // 3. Agent A comes back (same worker id, no chaos), and the rest of the batch follows.
  await run.startAgent("a");
  chaos.restarts++;
  for (let i = 3; i <= o.tasks; i++) await add(i);
  return finish();
}

async function leasedBy(run: PairRun, taskId: number, role: "a" | "b"): Promise<boolean> {
  const worker = WORKERS[role];
  const { task } = await run.call("get", { task_id: taskId });
  return (task.status === "leased" && task.worker_id === worker) || task.status === "done" || task.status === "failed";
}

/** Polls `stats` until done + failed reaches the batch size; false at the deadline. */
async function waitFinished(run: PairRun, total: number, deadline: number): Promise<boolean> {
  return run.waitUntil(
    async () => {
      const { stats } = await run.call("stats");
      return stats.done + stats.failed >= total;
    },
    deadline,
    () => {
      if (run.hub && !run.hub.isRunning()) throw new Error("the hub exited during the batch");
    },
    "the batch",
  );
}
