// The real AI CLIs (pinned, installed by scripts/install-real-clis.mjs into .cache/real-clis) run through the real
// harness against the built-in model stub, once per stub mode, and each outcome is asserted; then pair smokes of two
// real CLIs against 401, 429 and hanging stubs. Not part of `npm test`:
// run it with `npm run test:real-clis`. Hermetic: the stub listens on 127.0.0.1, HOME and TMPDIR are temp dirs.
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import t, { type Test } from "tap";
import { parseDocument } from "yaml";
import { ROOT, spawnCli } from "../helpers/cli.ts";

const CLIS = ["codex", "claude_code", "gemini", "qwen", "opencode", "copilot", "kilo"] as const;
type Cli = (typeof CLIS)[number];
const ANSWER = "mittelo smoke ok";
/** At concurrency 6 on 2 cores, 12+ CLI probes start at once: `gemini --help` then takes ~20 s (10 s alone is the default). */
const PROBE_TIMEOUT = "90s";
/** The `stub` profile's 90 s, copilot's own 120 s, kilo's 150 s, the hang run's 15 s; each run is killed at its timeout + kill_grace. */
const TIMEOUT_MS: Record<Cli, number> = {
  codex: 90_000,
  claude_code: 90_000,
  gemini: 90_000,
  qwen: 90_000,
  opencode: 90_000,
  copilot: 120_000,
  kilo: 150_000,
};
const HANG_TIMEOUT_MS = 15_000;
const SLACK_MS = 5_000;

interface CaseReport {
  outcome: string;
  reason: string;
  evidence: string | null;
  run?: { durationMs: number; timedOut: boolean; exitCode: number | null; answer: string };
  stub?: { requests: number; endpoints: Record<string, number>; bytes: number; log: string };
}
interface BackendReport {
  name: string;
  outcome: string;
  reason: string;
  preflight: { status: string };
  version: { seen: string | null; locked: string | null; inLock: boolean | null } | null;
  cases: CaseReport[];
}

/** Which pinned CLIs are installed; undefined with the reason when they are not (no registry, failed install). */
function installedClis(): { binDir: string } | { missing: string } {
  const result = spawnSync(process.execPath, [join(ROOT, "scripts/install-real-clis.mjs"), "--check", "--json"], { encoding: "utf8" });
  try {
    const report = JSON.parse(result.stdout) as { binDir: string; clis: Array<{ name: string; version: string; installed: string | null }> };
    const absent = report.clis.filter((c) => c.installed !== c.version).map((c) => `${c.name}@${c.version}`);
    if (absent.length > 0)
      return { missing: `not installed in .cache/real-clis: ${absent.join(", ")} (run node scripts/install-real-clis.mjs; it needs the npm registry)` };
    return { binDir: report.binDir };
  } catch {
    return { missing: `scripts/install-real-clis.mjs --check failed: ${(result.stderr || result.error?.message || "").trim().slice(0, 300)}` };
  }
}

/**
 * The shipped matrix.yaml with the backends unchanged, a probe timeout that fits 6 CLIs probing at once on 2 cores,
 * and no smoke pairs (they have their own tests; here they would only add time and outcomes that are not the CLIs').
 */
function manifestCopy(dir: string): string {
  const doc = parseDocument(readFileSync(join(ROOT, "matrix.yaml"), "utf8"));
  doc.setIn(["defaults", "probe_timeout"], PROBE_TIMEOUT);
  doc.delete("smoke");
  const file = join(dir, "matrix.yaml");
  writeFileSync(file, String(doc));
  symlinkSync(join(ROOT, "backends"), join(dir, "backends"));
  return file;
}

/** Processes (ours) whose cwd, argv or environment points into `dir`: whatever a run left behind. */
function survivors(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      const environ = readFileSync(`/proc/${pid}/environ`, "utf8");
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      if (cwd.startsWith(dir) || environ.includes(dir) || cmdline.includes(dir)) found.push(`${pid} ${cmdline.slice(0, 120)}`);
    } catch {
      // Gone, or not ours.
    }
  }
  return found;
}

const installed = installedClis();
if ("missing" in installed) {
  t.plan(0, installed.missing);
} else {
  const root = t.testdir();
  const home = join(root, "home");
  const tmp = join(root, "tmp");
  mkdirSync(home);
  mkdirSync(tmp);
  const manifest = manifestCopy(root);
  const env = { PATH: [installed.binDir, dirname(process.execPath), "/usr/bin", "/bin"].join(":"), HOME: home, TMPDIR: tmp, LANG: "C.UTF-8" };

  const runMode = async (t: Test, mode: string, extra: string[] = []) => {
    const out = join(root, `mode-${mode}`);
    const include = CLIS.flatMap((name) => ["--include", name]);
    const args = [
      "matrix",
      "-m",
      manifest,
      "--profile",
      "stub",
      "--stub-mode",
      mode,
      ...include,
      "--concurrency",
      String(CLIS.length),
      "--reporter",
      "none",
      "--out-dir",
      out,
      ...extra,
    ];
    const started = Date.now();
    const result = await spawnCli(args, { env, clean: true, timeout: 10 * 60_000 });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const report = JSON.parse(readFileSync(join(out, "matrix.json"), "utf8")) as { backends: BackendReport[] };
    const byName = new Map(report.backends.map((b) => [b.name, b]));
    const table = CLIS.map((name) => {
      const b = byName.get(name);
      const c = b?.cases[0];
      return `${name}: ${b?.outcome} ${b?.reason} ${c?.run ? `${(c.run.durationMs / 1000).toFixed(1)} s` : "-"}`;
    });
    t.comment(`--stub-mode ${mode}: ${seconds} s wall; ${table.join("; ")}`);
    return { code: result.code, stderr: result.stderr, out, byName };
  };

  const eachCli = (t: Test, byName: Map<string, BackendReport>, check: (t: Test, b: BackendReport, c: CaseReport, name: Cli) => void) => {
    for (const name of CLIS) {
      const b = byName.get(name);
      const c = b?.cases[0];
      if (!b || !c) {
        t.fail(`${name} is in matrix.json with a case`);
        continue;
      }
      t.test(name, async (t) => check(t, b, c, name));
    }
  };
  const evidence = (b: BackendReport, c: CaseReport) => `${b.outcome} ${b.reason}: ${c.evidence ?? ""}`.slice(0, 300);

  interface ModeSpec {
    mode: string;
    title: string;
    extra?: string[];
    /** Exit code of the harness when it is certain (every outcome matches `any-but-fail`). */
    exitCode?: number;
    check: (t: Test, b: BackendReport, c: CaseReport, name: Cli) => void;
  }
  const ok: ModeSpec = {
    mode: "ok",
    title: "ok: every CLI passes with the stub's exact answer; versions and help flags match the locks",
    exitCode: 0,
    check: (t, b, c) => {
      t.equal(b.outcome, "PASS", evidence(b, c));
      t.equal(c.run?.answer, ANSWER, "the answer is extracted exactly");
      t.ok((c.stub?.requests ?? 0) > 0, "the CLI talked to the stub");
      t.not(b.preflight.status, "fail", "preflight (version, help flags) does not fail");
      t.equal(b.version?.inLock, true, `installed ${b.version?.seen} is within the lock ${b.version?.locked}`);
    },
  };
  const unauthorized: ModeSpec = {
    mode: "401",
    title: "401: every CLI is SKIP auth",
    exitCode: 0,
    check: (t, b, c) => {
      t.equal(b.outcome, "SKIP", evidence(b, c));
      t.equal(b.reason, "auth", evidence(b, c));
    },
  };
  const hang: ModeSpec = {
    mode: "hang",
    title: "hang: every CLI is FAIL timeout within --timeout 15s, the process tree killed",
    extra: ["--timeout", "15s"],
    check: (t, b, c) => {
      t.equal(b.outcome, "FAIL", evidence(b, c));
      t.equal(b.reason, "timeout", evidence(b, c));
      t.equal(c.run?.timedOut, true, "killed at the timeout");
      t.ok((c.run?.durationMs ?? 0) <= HANG_TIMEOUT_MS + SLACK_MS, `ends within 15 s + kill grace (took ${c.run?.durationMs} ms)`);
    },
  };
  const quota: ModeSpec = {
    mode: "429",
    title: "429: every CLI is SKIP quota, also those that retry until the timeout (judged by the stub's log)",
    exitCode: 0,
    check: (t, b, c, name) => {
      t.equal(b.outcome, "SKIP", evidence(b, c));
      t.equal(b.reason, "quota", evidence(b, c));
      t.ok((c.run?.durationMs ?? 0) <= TIMEOUT_MS[name] + SLACK_MS, "ends within its timeout");
    },
  };
  const server: ModeSpec = {
    mode: "500",
    title: "500: FAIL server (never SKIP, never a bare timeout), the 500 answers in the stub log, within the timeout",
    check: (t, b, c, name) => {
      t.equal(b.outcome, "FAIL", evidence(b, c));
      t.equal(b.reason, "server", evidence(b, c));
      t.ok(
        Object.keys(c.stub?.endpoints ?? {}).some((k) => k.endsWith("→ 500")),
        "the stub answered 500",
      );
      t.ok((c.run?.durationMs ?? 0) <= TIMEOUT_MS[name] + SLACK_MS, "ends within its timeout");
    },
  };

  /** Runs the modes' harness runs (at the same time when there are several), then asserts each; no process may survive a run. */
  const group = (title: string, specs: ModeSpec[]) =>
    t.test(title, async (t) => {
      const runs = await Promise.all(specs.map((spec) => runMode(t, spec.mode, spec.extra)));
      specs.forEach((spec, i) => {
        const run = runs[i];
        if (!run) return;
        t.test(spec.title, async (t) => {
          if (spec.exitCode !== undefined) t.equal(run.code, spec.exitCode, run.stderr.slice(-2000));
          eachCli(t, run.byName, spec.check);
          t.same(survivors(run.out), [], "no process left behind");
        });
      });
    });

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

  // One run at a time. Overlapping runs (401 with hang, 429 with 500) saved 3 minutes but, with 12 CLIs on 2 cores,
  // made gemini's probes time out at 90 s and pushed opencode's and copilot's 429/500 runs past their timeouts.
  group("ok", [ok]);
  group("401", [unauthorized]);
  group("429", [quota]);
  group("500", [server]);
  group("hang", [hang]);
  // codex and claude give up at once on 401 and 429 (each agent acks its task SKIP); qwen retries 429 silently until it
  // is killed, so its pair is judged by the stubs' logs when the batch times out; a hang is a timeout.
  pairSmoke("401", "codex", "claude_code", 120, { outcome: "SKIP", reason: "auth", rule: /^pair\.tasks-skipped$/ });
  pairSmoke("429", "qwen", "claude_code", 60, { outcome: "SKIP", reason: "quota", rule: /^pair\.(upstream\.quota|tasks-skipped)$/ });
  pairSmoke("hang", "codex", "claude_code", 20, { outcome: "FAIL", reason: "timeout", rule: /^pair\.timeout$/ });
}
