// Chaos: agent A killed with a task in hand and restarted, one ack of agent B pushed past its lease: still every task done once.
import { join } from "node:path";
import t from "tap";
import { validatorFor } from "../../src/util/ajv.ts";
import { spawnCli } from "../helpers/cli.ts";
import { leftovers, readResult } from "../fixtures/smoke/helpers.ts";

t.test("pair-smoke --chaos passes with re-leases counted", async (t) => {
  const out = join(t.testdir(), "pair");
  const run = await spawnCli(["pair-smoke", "-a", "echo", "-b", "echo", "--tasks", "6", "--timeout-s", "30", "--chaos", "--out-dir", out]);
  t.equal(run.code, 0, run.stdout + run.stderr);
  const result = readResult(out);
  t.ok(validatorFor("pair-result.schema.json")(result), "result.json is schema-valid");
  t.equal(result.verdict.outcome, "PASS", result.verdict.message);
  t.equal(result.details.done, 6);
  t.equal(result.details.duplicates, 0);
  t.ok(result.details.releases >= 1, `re-leases counted (${result.details.releases})`);
  t.equal(result.details.chaos?.restarts, 1, "agent A was restarted");
  t.ok(result.details.fencedAcks >= 0);
  t.equal(result.processes.filter((p) => p.role === "agent-a").length, 2, "agent A ran twice");
  t.same(leftovers(result), []);
});
