// Pair smokes of two real CLIs (pinned, installed by scripts/install-real-clis.mjs into .cache/real-clis) against the
// built-in model stub: each agent runs its CLI against a stub of its own (`pair-smoke --stub-mode`), its classifier sees
// what that stub answered, and so does the pair's verdict. Not part of `npm test`: run it with `npm run test:real-clis`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { spawnCli } from "../helpers/cli.ts";
import { installedClis, realCliWorkspace, survivors } from "../fixtures/real-clis/helpers.ts";

type Cli = "codex" | "claude_code" | "qwen";

const installed = installedClis();
if ("missing" in installed) {
  t.plan(0, installed.missing);
} else {
  const root = t.testdir();
  const { manifest, env } = realCliWorkspace(root, installed.binDir);

  /**
   * A pair smoke of two real CLIs, each agent with a stub of its own in `mode` (`pair-smoke --stub-mode`): the agents'
   * classifiers see what their stubs answered, and so does the pair's verdict. No process may survive it.
   */
  const pairSmoke = (mode: string, a: Cli, b: Cli, timeoutS: number, expected: { outcome: string; reason: string; rule: RegExp }) =>
    t.test(`pair smoke ${a} + ${b} against a ${mode} stub: ${expected.outcome} ${expected.reason}`, async (t) => {
      const out = join(root, `pair-${mode}`);
      const args = ["pair-smoke", "-m", manifest, "--stub-mode", mode, "-a", a, "-b", b, "--tasks", "2", "--timeout-s", String(timeoutS), "--out-dir", out];
      const started = Date.now();
      const result = await spawnCli(args, { env, clean: true, timeout: 5 * 60_000 });
      const pair = JSON.parse(readFileSync(join(out, "result.json"), "utf8")) as {
        verdict: { outcome: string; reason: string; rule: string; message: string; evidence?: string };
        details: { failedTasks: Array<{ error: string }> };
      };
      t.comment(
        `pair ${a}+${b} --stub-mode ${mode}: ${((Date.now() - started) / 1000).toFixed(1)} s wall; ${pair.verdict.outcome} ${pair.verdict.reason} (${pair.verdict.rule})`,
      );
      t.equal(result.code, expected.outcome === "FAIL" ? 1 : 0, "exit code", { stdout: result.stdout, stderr: result.stderr.slice(-2000) });
      t.equal(pair.verdict.outcome, expected.outcome, pair.verdict.message);
      t.equal(pair.verdict.reason, expected.reason, `${pair.verdict.message} · ${pair.verdict.evidence ?? ""}`);
      t.match(pair.verdict.rule, expected.rule);
      t.same(survivors(out), [], "no process left behind");
    });

  // One at a time (two CLIs each).
  // codex and claude give up at once on 401 and 429 (each agent acks its task SKIP); qwen retries 429 silently until it
  // is killed, so its pair is judged by the stubs' logs when the batch times out; a hang is a timeout.
  pairSmoke("401", "codex", "claude_code", 120, { outcome: "SKIP", reason: "auth", rule: /^pair\.tasks-skipped$/ });
  pairSmoke("429", "qwen", "claude_code", 60, { outcome: "SKIP", reason: "quota", rule: /^pair\.(upstream\.quota|tasks-skipped)$/ });
  pairSmoke("hang", "codex", "claude_code", 20, { outcome: "FAIL", reason: "timeout", rule: /^pair\.timeout$/ });
}
