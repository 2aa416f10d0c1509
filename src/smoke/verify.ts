// Pure verification of a finished batch: the hub's tasks + the agents' logs → details and a verdict.
import { parseTaskError } from "../backends/task-error.ts";
import { type ModelCall, upstreamSummary, upstreamVerdictOf } from "../backends/upstream.ts";
import type { Verdict } from "../backends/verdict.ts";
import type { Task } from "../hub/protocol-types.ts";
import { formatMs } from "../util/units.ts";
import { type PairDetails, emptyDetails } from "./types.ts";

/** What the check reads of a task in the hub's list reply. */
export type HubTask = Pick<Task, "task_id" | "prompt" | "status" | "worker_id" | "result" | "error" | "attempts">;

export interface VerifyInput {
  /** The batch: task id → prompt. */
  enqueued: Map<number, string>;
  tasks: HubTask[];
  workers: { a: string; b: string };
  /** What the backend of a worker must answer to a prompt; undefined = any non-empty answer. */
  expectedFor: (worker: string, prompt: string) => string | undefined;
  logs: { a: string; b: string };
  timedOut: boolean;
  timeoutMs: number;
  /** Against the model stub: every model call both agents' stubs got, and what they answered. */
  upstream?: ModelCall[];
}

/** The batch is large enough that both agents must have done work. */
export const MIN_TASKS_FOR_SPLIT = 4;

const firstLine = (text: string): string => text.split("\n")[0] ?? "";

const text = (value: unknown): string => (typeof value === "string" ? value : value == null ? "" : JSON.stringify(value));

export function verifyBatch(input: VerifyInput): { details: PairDetails; verdict: Verdict } {
  const d = emptyDetails(input.enqueued.size);
  const byId = new Map(input.tasks.map((t) => [t.task_id, t]));
  const ackedDone = new Map<number, number>();
  for (const log of [input.logs.a, input.logs.b]) {
    for (const m of log.matchAll(/task (\d+): acked done/g)) ackedDone.set(Number(m[1]), (ackedDone.get(Number(m[1])) ?? 0) + 1);
    d.fencedAcks += [...log.matchAll(/ack rejected/g)].length;
  }
  for (const [id, prompt] of input.enqueued) {
    const task = byId.get(id);
    if (!task) {
      d.pending.push(id);
      continue;
    }
    d.releases += Math.max(0, (task.attempts ?? 1) - 1);
    if (task.status === "done") {
      d.done++;
      if (task.worker_id === input.workers.a) d.split.a++;
      else if (task.worker_id === input.workers.b) d.split.b++;
      if ((ackedDone.get(id) ?? 0) > 1) d.duplicates++;
      const got = text(task.result);
      const expected = task.worker_id ? input.expectedFor(task.worker_id, prompt) : undefined;
      if (expected !== undefined ? got.trim() !== expected : !got.trim()) {
        d.mismatches.push({ task_id: id, worker: task.worker_id, expected: expected ?? "(a non-empty answer)", got });
      }
    } else if (task.status === "failed") {
      d.failed++;
      d.failedTasks.push({ task_id: id, worker: task.worker_id, error: text(task.error) });
    } else {
      d.pending.push(id);
    }
  }
  return { details: d, verdict: verdictOf(d, input) };
}

function verdictOf(d: PairDetails, input: VerifyInput): Verdict {
  const fail = (reason: string, rule: string, message: string, evidence: string, hint: string): Verdict => ({
    outcome: "FAIL",
    reason,
    rule,
    message,
    evidence,
    hint,
  });
  if (input.timedOut || d.pending.length) {
    // Against the stub: CLIs that retry a 429 until they are killed kept the batch from finishing; the stubs' logs say so.
    const how = `the batch did not finish within ${formatMs(input.timeoutMs)} (${d.pending.length} of ${d.tasks} tasks pending)`;
    const upstream = input.upstream && upstreamVerdictOf({ calls: input.upstream, omitted: 0 }, how);
    if (upstream) return { ...upstream, rule: `pair.${upstream.rule}` };
    return fail(
      "timeout",
      "pair.timeout",
      `${d.pending.length} of ${d.tasks} tasks were not finished within ${input.timeoutMs} ms`,
      [
        `pending tasks: ${d.pending.map((id) => describePending(id, input.tasks)).join(", ") || "none"}`,
        input.upstream && upstreamSummary({ calls: input.upstream, omitted: 0 }),
      ]
        .filter(Boolean)
        .join(" · "),
      "read agent-a.log and agent-b.log for the task in hand; raise --timeout-s for slow backends",
    );
  }
  // Every failed task was SKIPped by its agent's classifier (auth, quota, network, …): not set up here, not a bug.
  const skipped = d.failedTasks.map((f) => parseTaskError(f.error));
  const first = skipped[0];
  if (d.failed && first && skipped.every((v) => v?.outcome === "SKIP")) {
    const reasons = [...new Set(skipped.map((v) => v?.reason))];
    const task = d.failedTasks[0];
    return {
      outcome: "SKIP",
      reason: first.reason,
      rule: "pair.tasks-skipped",
      message: `${d.failed} of ${d.tasks} tasks were SKIPped by their agent (${reasons.join(", ")}): ${first.message}`,
      evidence: task ? `task ${task.task_id} (${task.worker}): ${first.evidence ?? firstLine(task.error)}` : undefined,
      ...(first.hint ? { hint: first.hint } : {}),
    };
  }
  if (d.failed) {
    const first = d.failedTasks[0];
    return fail(
      "task-failed",
      "pair.no-failed-task",
      `${d.failed} of ${d.tasks} tasks failed (first: task ${first?.task_id} on ${first?.worker})`,
      first ? `task ${first.task_id}: ${first.error}` : "",
      "run the failing backend alone with `mittelo system-test --backend NAME`",
    );
  }
  if (d.duplicates) {
    return fail(
      "duplicate",
      "pair.done-once",
      `${d.duplicates} tasks were acked done more than once`,
      "see the `acked done` lines in the agent logs",
      "a fencing bug in the hub: report it",
    );
  }
  if (d.mismatches.length) {
    const m = d.mismatches[0];
    return fail(
      "expectation",
      "pair.result-matches",
      `${d.mismatches.length} results differ from what the backend answers to the prompt`,
      m ? `task ${m.task_id} (${m.worker}): expected ${JSON.stringify(m.expected)}, got ${JSON.stringify(m.got)}` : "",
      "compare tasks.json with the backend's own output (`mittelo exec`)",
    );
  }
  if (d.tasks >= MIN_TASKS_FOR_SPLIT && (d.split.a === 0 || d.split.b === 0)) {
    const idle = d.split.a === 0 ? "A" : "B";
    return fail(
      "split",
      "pair.both-agents-work",
      `agent ${idle} did no work (split ${d.split.a}/${d.split.b})`,
      `split a=${d.split.a} b=${d.split.b}`,
      `read agent-${idle.toLowerCase()}.log: did it connect and lease?`,
    );
  }
  return {
    outcome: "PASS",
    reason: "ok",
    rule: "pair.all-done-once",
    message: `all ${d.tasks} tasks done exactly once with the expected results (split ${d.split.a}/${d.split.b})`,
    evidence: `done=${d.done} failed=0 duplicates=0 releases=${d.releases} fencedAcks=${d.fencedAcks}`,
  };
}

function describePending(id: number, tasks: HubTask[]): string {
  const task = tasks.find((x) => x.task_id === id);
  if (!task) return `${id} (not in the hub)`;
  return `${id} (${task.status}${task.worker_id ? ` by ${task.worker_id}` : ""})`;
}
