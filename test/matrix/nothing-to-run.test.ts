// What is not run is said, never dropped silently: a manifest with no case (validate warns; the matrix exits 2 with
// the reason instead of SKIPping everything with `1..0`), a backend without a case (left out with the reason), and a
// backend folder whose name breaks the naming rule or whose `run` is not executable (in validate and in the plan).
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { runCli } from "../helpers/cli.ts";

const RUN = "#!/bin/sh\ncat\n";

function folder(dir: string, name: string, mode = 0o755): void {
  mkdirSync(join(dir, "backends", name), { recursive: true });
  writeFileSync(join(dir, "backends", name, "run"), RUN);
  chmodSync(join(dir, "backends", name, "run"), mode);
}

t.test("a manifest with no case: validate warns, the matrix refuses with the reason (exit 2)", async (t) => {
  const dir = t.testdir({ "matrix.yaml": "version: 1\nbackends:\n  cat: { invoke: { argv: [cat] } }\n  dog: { invoke: { argv: [cat] } }\n" });
  const manifest = join(dir, "matrix.yaml");
  const validate = await runCli(["validate", "-m", manifest]);
  t.equal(validate.code, 0, "valid: agents and the hub need no case");
  t.match(validate.stderr, /matrix\.yaml:2:1: warning\[no-cases\] backends: no backend has a case: `mittelo matrix` has nothing to run/);
  t.match(validate.stderr, "hint: add a case under defaults.cases");
  const json = JSON.parse((await runCli(["validate", "-m", manifest, "--json"])).stdout) as { ok: boolean; warnings: Array<{ code: string }> };
  t.same([json.ok, json.warnings.map((w) => w.code)], [true, ["no-cases"]]);

  const run = await runCli(["matrix", "-m", manifest, "-o", join(dir, "out")]);
  t.equal(run.code, 2);
  t.equal(run.stdout, "", "no `1..0` TAP");
  t.match(run.stderr, "mittelo: nothing to run: no backend has a case");
  t.match(run.stderr, "hint: add a case under defaults.cases");
  const list = await runCli(["matrix", "-m", manifest, "--list"]);
  t.match(list.stdout, /cat\s+not planned: no case to run: defaults\.cases is empty and it declares no cases/);
  t.match(list.stdout, "nothing to run: no backend has a case");
});

t.test("one backend without a case is left out with the reason; the others run", async (t) => {
  const dir = t.testdir({
    "matrix.yaml": [
      "version: 1",
      "backends:",
      "  cat:",
      "    invoke: { argv: [cat] }",
      "    cases: [{ name: one, prompt: hello }]",
      "  dog: { invoke: { argv: [cat] }, skip_default_cases: true }",
      "",
    ].join("\n"),
  });
  folder(dir, "mine");
  const manifest = join(dir, "matrix.yaml");
  const validate = await runCli(["validate", "-m", manifest]);
  t.equal(validate.code, 0);
  t.match(validate.stderr, "warning[no-cases] backends.dog: backend 'dog' has no case: `mittelo matrix` leaves it out");
  t.notMatch(validate.stderr, "backends.cat:");
  const run = await runCli(["matrix", "-m", manifest, "-o", join(dir, "out"), "--reporter", "json"]);
  t.equal(run.code, 0, run.stderr);
  const report = JSON.parse(run.stdout) as { backends: Array<{ name: string; outcome: string }>; excluded: Array<{ kind: string; name: string; why: string }> };
  t.same(
    report.backends.map((b) => [b.name, b.outcome]),
    [["cat", "PASS"]],
  );
  t.same(
    report.excluded.map((e) => [e.kind, e.name, e.why]),
    [
      ["backend", "dog", "no case to run: it sets skip_default_cases and declares no cases"],
      ["backend", "mine", "no case to run: a folder backend runs the default cases, and defaults.cases is empty"],
    ],
  );
});

t.test("a backend folder with a bad name or a run that is not executable is reported, not ignored silently", async (t) => {
  const dir = t.testdir({
    "matrix.yaml": "version: 1\ndefaults:\n  cases: [{ name: smoke, prompt: hi }]\nbackends:\n  cat: { invoke: { argv: [cat] } }\n",
  });
  folder(dir, "MyBot");
  folder(dir, "kärry");
  folder(dir, "plain", 0o644);
  folder(dir, "good");
  folder(dir, "_template");
  mkdirSync(join(dir, "backends", "lib"));
  const manifest = join(dir, "matrix.yaml");

  const validate = await runCli(["validate", "-m", manifest]);
  t.equal(validate.code, 0);
  t.match(validate.stderr, /backends\/MyBot: warning\[ignored-folder\] left out of every run: 'MyBot' is not a backend name .*e\.g\. to 'mybot'/);
  t.match(validate.stderr, /backends\/kärry: warning\[ignored-folder\] .*'kärry' is not a backend name .*e\.g\. to 'karry'/);
  t.match(validate.stderr, /backends\/plain: warning\[ignored-folder\] .*plain\/run is not executable: chmod \+x /);
  t.notMatch(validate.stderr, /_template|good|lib/, "reserved folders, real backends and folders without run are not warned about");

  const list = await runCli(["matrix", "-m", manifest, "--list"]);
  t.match(list.stdout, /good\s+expect any-but-fail .*\[folder\]/, "a well-named folder backend is planned");
  t.match(list.stdout, /folder \S+backends\/MyBot not planned: 'MyBot' is not a backend name/);
  t.match(list.stdout, /folder \S+backends\/plain not planned: \S+ is not executable/);

  const run = await runCli(["matrix", "-m", manifest, "-o", join(dir, "out"), "--reporter", "none"]);
  t.equal(run.code, 0, run.stderr);
  const { readFileSync } = await import("node:fs");
  t.match(readFileSync(join(dir, "out", "summary.md"), "utf8"), /Not planned: .*folder \S+backends\/MyBot \('MyBot' is not a backend name/);
});

t.test("a MITTELO_BACKENDS_DIR entry that is not a directory is reported", async (t) => {
  const dir = t.testdir({ "matrix.yaml": "version: 1\ndefaults:\n  cases: [{ name: smoke, prompt: hi }]\nbackends:\n  cat: { invoke: { argv: [cat] } }\n" });
  const missing = join(dir, "no-such-dir");
  process.env.MITTELO_BACKENDS_DIR = missing;
  t.teardown(() => {
    delete process.env.MITTELO_BACKENDS_DIR;
  });
  const validate = await runCli(["validate", "-m", join(dir, "matrix.yaml")]);
  t.equal(validate.code, 0);
  t.match(validate.stderr, `warning[ignored-folder] left out of every run: MITTELO_BACKENDS_DIR names ${missing}, which is not a readable directory (ENOENT)`);
  const list = await runCli(["matrix", "-m", join(dir, "matrix.yaml"), "--list"]);
  t.match(list.stdout, `not planned: MITTELO_BACKENDS_DIR names ${missing}`);
});
