// `npx zx harness/run.mjs --include <one backend>` on a fresh machine (no AI CLI on PATH, empty HOME, no keys) exits 0
// for EVERY backend of the shipped matrix.yaml: its outcome matches its expectation, and the smoke pairs it does not
// select are left out of the plan (listed as not planned), not reported as "SKIP backend-not-passed: not run".
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import pLimit from "p-limit";
import t from "tap";
import { parse } from "yaml";
import { ROOT, spawnCli } from "../helpers/cli.ts";
import { parseTap } from "../helpers/tap-parse.ts";

interface Report {
  backends: Array<{ name: string; outcome: string; expected: string; matches: boolean; reason: string | null }>;
  pairs: Array<{ name: string }>;
  excluded: Array<{ kind?: string; name: string; why: string }>;
  mismatches: string[];
}

const shipped = parse(readFileSync(join(ROOT, "matrix.yaml"), "utf8")) as {
  backends: Record<string, unknown>;
  smoke?: { pairs?: Array<{ name?: string; a: string; b: string }> };
};
const names = Object.keys(shipped.backends).sort();
// A PATH with node and the basics only, so the result does not depend on what this machine has installed.
const PATH = [join(process.execPath, ".."), "/usr/bin", "/bin"].join(":");

t.test("--include <one backend> exits 0 for every backend of the shipped manifest", async (t) => {
  const home = t.testdir();
  const out = t.testdir();
  const limit = pLimit(3);
  const runs = await Promise.all(
    names.map((name) =>
      limit(async () => ({
        name,
        result: await spawnCli(["matrix", "--include", name, "--out-dir", join(out, name), "--reporter", "tap"], {
          env: { PATH, HOME: home, CI: "true" },
          clean: true,
          timeout: 120_000,
        }),
      })),
    ),
  );
  for (const { name, result } of runs) {
    t.test(name, async (t) => {
      t.equal(result.code, 0, "exit 0", { stdout: result.stdout, stderr: result.stderr });
      const tap = await parseTap(result.stdout);
      t.same(tap.parseErrors, []);
      t.equal(tap.ok, true, "every test point ok");
      const report = JSON.parse(readFileSync(join(out, name, "matrix.json"), "utf8")) as Report;
      t.same(
        report.backends.map((b) => b.name),
        [name],
        "only the included backend ran",
      );
      t.same(report.mismatches, []);
      for (const pair of shipped.smoke?.pairs ?? []) {
        const pairName = pair.name ?? `${pair.a}-${pair.b}`;
        const planned = pair.a === name && pair.b === name;
        t.equal(
          report.pairs.some((p) => p.name === pairName),
          planned,
          `pair ${pairName} ${planned ? "runs" : "is not run"}`,
        );
        if (!planned)
          t.ok(
            report.excluded.some((e) => e.kind === "pair" && e.name === pairName && /is not planned/.test(e.why)),
            `${pairName} is listed as not planned`,
          );
      }
    });
  }
});

t.test("the README's command: npx zx harness/run.mjs --include codex exits 0 without codex; --list shows the same plan", async (t) => {
  // One fresh folder (t.testdir() returns the same one at every call): HOME (npx writes its .npm there) and the report.
  const dir = t.testdir({ home: {} });
  const home = join(dir, "home");
  const out = join(dir, "out");
  const env = { PATH: `${join(ROOT, "node_modules", ".bin")}:${PATH}`, HOME: home };
  const run = await execa("npx", ["zx", "harness/run.mjs", "--include", "codex", "-o", out], { cwd: ROOT, env, extendEnv: false, reject: false });
  t.equal(run.exitCode, 0, "exit 0", { stdout: run.stdout, stderr: run.stderr });
  t.notMatch(run.stdout, /pair echo-echo/, "the pair is not a test point");
  t.match(run.stdout, /^1\.\.1$/m);
  t.match(readFileSync(join(out, "summary.md"), "utf8"), /pair echo-echo \(backend echo is not planned \(not in --include \/ profile include\)\)/);
  const list = await spawnCli(["matrix", "--include", "codex", "--list"], { env: { PATH, HOME: home }, clean: true });
  t.equal(list.code, 0);
  t.match(list.stdout, /pair echo-echo\s+not planned: backend echo is not planned/);
  t.match(list.stdout, /pair codex-claude\s+not planned: backend claude_code is not planned/);
  t.notMatch(list.stdout, /^ {2}pair .* expect /m, "no pair is planned");
});

t.test("gemini not installed but npx on PATH and a key set: SKIP missing-binary with the install hint, not auth", async (t) => {
  const out = t.testdir();
  const npxDir = join(process.execPath, "..");
  const result = await spawnCli(["matrix", "--include", "gemini", "--out-dir", out, "--reporter", "none"], {
    env: { PATH, HOME: t.testdir(), GEMINI_API_KEY: "x" },
    clean: true,
  });
  t.equal(result.code, 0, "exit 0", { stderr: result.stderr });
  const which = await execa("sh", ["-c", "command -v npx"], { env: { PATH }, reject: false });
  t.equal(String(which.stdout).trim(), join(npxDir, "npx"), "npx is on the PATH of the run");
  const report = JSON.parse(readFileSync(join(out, "matrix.json"), "utf8")) as {
    backends: Array<{ outcome: string; reason: string; hint: string; preflight: { binary: string | null } }>;
  };
  t.match(report.backends[0], { outcome: "SKIP", reason: "missing-binary", hint: "npm install -g @google/gemini-cli@0.61.0" });
  t.equal(report.backends[0]?.preflight.binary, null, "npx is not taken for gemini");
});
