// Machines and CI end to end: runs of one plan on two labelled machines (one of them in shards) merge into one
// backends × machines table; under GitHub Actions a run or a merge appends its summary to $GITHUB_STEP_SUMMARY and
// annotates unexpected outcomes and manifest errors at their line in matrix.yaml.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { validatorFor } from "../../src/util/ajv.ts";
import { ROOT, runCli, runCliWithEnv, spawnCli } from "../helpers/cli.ts";

const FIXTURES = join(ROOT, "test/fixtures/shards");
const MAIN = join(FIXTURES, "matrix.yaml");
const FLAKY = join(FIXTURES, "flaky.yaml");
const root = t.testdir();
const dir = (name: string) => join(root, name);
const env = { MITTELO_FIXTURE_MACHINE: undefined, CI: undefined };
const cli = (args: string[], extra: Record<string, string | undefined> = {}) => spawnCli(args, { env: { ...env, ...extra }, timeout: 180_000 });
const json = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;

t.test("two labelled machines merge into one backends × machines table", async (t) => {
  const alpha = await runCliWithEnv(["matrix", "-m", MAIN, "--label", "alpha", "-o", dir("alpha"), "--reporter", "none"], { MITTELO_FIXTURE_MACHINE: "alpha" });
  t.equal(alpha.code, 0, alpha.stderr);
  const betas = await Promise.all(
    [1, 2].map((i) => cli(["matrix", "-m", MAIN, "--label", "beta", "--shard", `${i}/2`, "-o", dir(`beta${i}`), "--reporter", "none"])),
  );
  for (const b of betas) t.ok(b.code === 0 || b.code === 1, b.stderr);
  const out = dir("machines");
  const summaryFile = join(root, "step-summary.md");
  const tickets = join(root, "tickets.md");
  const merged = await cli(["report", "merge", dir("alpha"), dir("beta1"), dir("beta2"), "--out-dir", out, "--tickets", tickets], {
    GITHUB_STEP_SUMMARY: summaryFile,
  });
  t.equal((await runCli(["report", "merge", dir("beta1"), "--out-dir", dir("beta-alone")])).code, 2, "beta without its shard 2/2 is refused");
  t.equal(merged.code, 0, merged.stderr);
  const summary = readFileSync(join(out, "summary.md"), "utf8");
  t.match(summary, "| backend | expected | alpha | beta |");
  t.match(summary, /\| gated \| any-but-fail \| ✅ PASS \| ⏭️ SKIP auth \|/);
  t.match(summary, /\| bad \| fail \| ❌ FAIL exit-code \| ❌ FAIL exit-code \|/);
  t.match(summary, "merged 3 streams of plan");
  t.equal(readFileSync(summaryFile, "utf8"), `${summary}\n`, "GITHUB_STEP_SUMMARY gets summary.md");
  const filed = readFileSync(tickets, "utf8");
  t.match(filed, "### bad on alpha: expected FAIL, got FAIL (exit-code)", "a ticket per machine");
  t.match(filed, "### bad on beta: expected FAIL, got FAIL (exit-code)");
  t.match(filed, "- machine beta: node");
  const report = json(join(out, "matrix.json")) as { backends: Array<{ name: string; outcome: string; machines: Array<{ label: string; outcome: string }> }> };
  t.ok(validatorFor("report.schema.json")(report), JSON.stringify(validatorFor("report.schema.json").errors));
  const gated = report.backends.find((b) => b.name === "gated");
  t.same(
    gated?.machines.map((m) => [m.label, m.outcome]),
    [
      ["alpha", "PASS"],
      ["beta", "SKIP"],
    ],
  );
  t.equal(gated?.outcome, "PASS", "over the machines: it works somewhere and fails nowhere");
  t.match(merged.stdout, /ok \d+ - smoke \[alpha\]/);
  t.match(merged.stdout, /ok \d+ - gated PASS \(alpha PASS · beta SKIP\)/);
  t.match(merged.stdout, /pair echo-echo \(echo \+ echo\) PASS \[beta\]/);
});

t.test("GitHub Actions: annotations at the backend's line for unexpected outcomes and manifest errors", async (t) => {
  const summaryFile = join(root, "gh-summary.md");
  const r = await runCliWithEnv(["matrix", "-m", FLAKY, "--include", "flip", "--repeat", "2", "-o", dir("gh")], {
    GITHUB_ACTIONS: "true",
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_WORKSPACE: ROOT,
  });
  t.equal(r.code, 1);
  const line = readFileSync(FLAKY, "utf8").split("\n").indexOf("  flip:") + 1;
  t.match(
    r.stderr,
    `::error file=test/fixtures/shards/flaky.yaml,line=${line},title=mittelo%3A flip expected PASS%2C got flaky 1/2::flip: expected PASS, got flaky 1/2 — exit-code: exited with 1, expected 0`,
  );
  t.notMatch(r.stdout, /::error/, "annotations stay off stdout (TAP)");
  t.match(readFileSync(summaryFile, "utf8"), "# Mittelö matrix");
  const broken = join(root, "broken.yaml");
  writeFileSync(broken, "version: 1\nbackends:\n  echo:\n    invoke: { wrapper: x/run }\n    colour: blue\n");
  const bad = await runCliWithEnv(["matrix", "-m", broken], { GITHUB_ACTIONS: "true", GITHUB_WORKSPACE: root });
  t.equal(bad.code, 2);
  t.match(bad.stderr, /::error file=broken\.yaml,line=5,col=5,title=mittelo%3A unknown-key::backends\.echo(\.colour)?: /);
  const quiet = await runCli(["matrix", "-m", broken]);
  t.notMatch(quiet.stderr, /::error/, "no annotations outside GitHub Actions");
});

t.test("the example workflow: 3 Linux shards and macOS upload their reports, a merge job merges them", async (t) => {
  const { parse } = await import("yaml");
  const flow = parse(readFileSync(join(ROOT, "docs/examples/matrix-shards.yml"), "utf8")) as {
    jobs: Record<
      string,
      { needs?: string[] | string; if?: string; "runs-on": string; strategy?: { matrix: { shard: number[] } }; steps: Array<Record<string, unknown>> }
    >;
  };
  const { linux, macos, merge } = flow.jobs;
  const runs = (job: typeof linux) => (job?.steps ?? []).map((s) => String(s.run ?? "")).join("\n");
  const uploadsAlways = (job: typeof linux) => (job?.steps ?? []).some((s) => String(s.uses).startsWith("actions/upload-artifact") && s.if === "always()");
  t.same(linux?.strategy?.matrix.shard, [1, 2, 3]);
  t.match(runs(linux), /harness\/run\.mjs .*--shard "\$\{\{ matrix\.shard \}\}\/3"/);
  t.match(runs(linux), "--timings timings/timings.json");
  t.match(macos?.["runs-on"], /^macos-/);
  t.match(runs(macos), "--label darwin-arm64");
  t.ok(uploadsAlways(linux) && uploadsAlways(macos), "shards upload their reports even when an outcome is unexpected");
  t.same(merge?.needs, ["linux", "macos"]);
  t.equal(merge?.if, "always()");
  t.match(runs(merge), "bin/mittelo.mjs report merge reports/runs --out-dir reports/merged");
  t.notOk(existsSync(join(ROOT, ".github/workflows/matrix-shards.yml")), "the example does not run in this repository");
});
