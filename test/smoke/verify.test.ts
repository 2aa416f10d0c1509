// verifyBatch from data: the verdict's precedence and the counts it reports.
import t from "tap";
import { echoAnswer } from "../../src/backends/echo.ts";
import { type HubTask, verifyBatch } from "../../src/smoke/verify.ts";

const prompts = new Map([1, 2, 3, 4].map((i) => [i, `Return exactly: pair task ${i} n`]));
const task = (id: number, over: Partial<HubTask> = {}): HubTask => ({
  task_id: id,
  prompt: prompts.get(id) ?? "",
  status: "done",
  worker_id: id % 2 ? "pair-a" : "pair-b",
  result: echoAnswer(prompts.get(id) ?? ""),
  error: null,
  attempts: 1,
  ...over,
});
const verify = (tasks: HubTask[], extra: { timedOut?: boolean; logs?: { a: string; b: string } } = {}) =>
  verifyBatch({
    enqueued: prompts,
    tasks,
    workers: { a: "pair-a", b: "pair-b" },
    expectedFor: (_w, p) => echoAnswer(p),
    logs: extra.logs ?? { a: "", b: "" },
    timedOut: extra.timedOut ?? false,
    timeoutMs: 1000,
  });

t.test("all done once, both agents: PASS with the split", async (t) => {
  const { verdict, details } = verify([1, 2, 3, 4].map((i) => task(i, i === 2 ? { attempts: 3 } : {})));
  t.equal(verdict.outcome, "PASS");
  t.same(details.split, { a: 2, b: 2 });
  t.equal(details.releases, 2);
});

t.test("precedence: timeout > failed > duplicate > mismatch > split", async (t) => {
  t.equal(verify([task(1), task(2), task(3), task(4, { status: "leased" })]).verdict.reason, "timeout");
  const failed = verify([task(1), task(2), task(3, { status: "failed", error: "boom" }), task(4)]);
  t.equal(failed.verdict.reason, "task-failed");
  t.match(failed.verdict.evidence, /task 3: boom/);
  const logs = { a: "task 1: acked done\n", b: "task 1: acked done\ntask 2: ack rejected by the hub\n" };
  const dup = verify(
    [1, 2, 3, 4].map((i) => task(i)),
    { logs },
  );
  t.equal(dup.verdict.reason, "duplicate");
  t.equal(dup.details.fencedAcks, 1);
  t.equal(verify([task(1, { result: "wrong" }), task(2), task(3), task(4)]).verdict.reason, "expectation");
  t.equal(verify([1, 2, 3, 4].map((i) => task(i, { worker_id: "pair-a" }))).verdict.reason, "split");
});
