// echo/echo end to end: a real hub and two real agent processes share the batch; PASS with the split and every artifact.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { validatorFor } from "../../src/util/ajv.ts";
import { spawnCli } from "../helpers/cli.ts";
import { leftovers, readResult } from "../fixtures/smoke/helpers.ts";

t.test("pair-smoke echo/echo passes and reports the split", async (t) => {
  const out = join(t.testdir(), "pair");
  const run = await spawnCli(["pair-smoke", "--backend-a", "echo", "--backend-b", "echo", "--tasks", "6", "--timeout-s", "15", "--out-dir", out]);
  t.equal(run.code, 0, run.stdout + run.stderr);
  t.match(run.stdout, /pair echo-echo: PASS \(ok\)/);
  t.match(run.stdout, /split A \d+ \/ B \d+/);
  t.match(run.stdout, `artifacts: ${out}`);
  for (const f of ["result.json", "summary.md", "hub.log", "agent-a.log", "agent-b.log", "tasks.json"]) t.ok(existsSync(join(out, f)), `${f} written`);

  const result = readResult(out);
  const validate = validatorFor("pair-result.schema.json");
  t.ok(validate(result), JSON.stringify(validate.errors));
  t.equal(result.verdict.outcome, "PASS");
  t.same({ done: result.details.done, failed: result.details.failed, duplicates: result.details.duplicates }, { done: 6, failed: 0, duplicates: 0 });
  t.equal(result.details.split.a + result.details.split.b, 6, "every task counted once in the split");
  t.ok(result.details.split.a > 0 && result.details.split.b > 0, "both agents did work");
  t.ok(typeof result.workMs === "number", "work time measured");

  const tasks = JSON.parse(readFileSync(join(out, "tasks.json"), "utf8")) as Array<{ prompt: string; result: string; status: string; attempts: number }>;
  t.equal(tasks.length, 6);
  for (const task of tasks) {
    t.equal(task.status, "done");
    t.equal(task.attempts, 1);
    t.equal(`Return exactly: ${task.result}`, task.prompt, "the echo answer of its own prompt");
  }
  t.match(readFileSync(join(out, "agent-a.log"), "utf8"), /\[pair-a\] .*acked done/);
  t.match(readFileSync(join(out, "agent-b.log"), "utf8"), /\[pair-b\] .*acked done/);
  t.match(readFileSync(join(out, "hub.log"), "utf8"), /MITTELO_HUB tcp:\/\/127\.0\.0\.1:\d+/);
  t.match(readFileSync(join(out, "summary.md"), "utf8"), /# Pair smoke echo-echo: PASS/);
  t.same(leftovers(result), [], "no process of the smoke is left");
});

t.test("usage errors exit 2 without a stack trace", async (t) => {
  const run = await spawnCli(["pair-smoke", "--backend-a", "echo", "--backend-b", "nope", "--out-dir", join(t.testdir(), "x")]);
  t.equal(run.code, 2);
  t.match(run.stderr, /nope/);
  t.notMatch(run.stderr, /\n\s+at /);
  const bad = await spawnCli(["pair-smoke", "--backend-a", "echo", "--backend-b", "echo", "--tasks", "0"]);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /--tasks must be/);
});
