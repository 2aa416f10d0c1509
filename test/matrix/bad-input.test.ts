// Bad input gets exit 2 and one clear line, never a stack trace or a hang. The CLI runs in this process (its
// error printing is the same code), and as a real process where only a process can show it (a hang).
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { ROOT, runCli, spawnCli } from "../helpers/cli.ts";

// A manifest with a case: with none, "nothing to run" (also exit 2) would be said before the flag errors tested here.
const MINIMAL = `${ROOT}/test/fixtures/manifests/runnable-minimal.yaml`;
const NO_STACK = /\n\s+at \S+ \(/;

/** The first line of stderr that says what is wrong (after any rendered diagnostics). */
function mitteloLine(stderr: string): string {
  return stderr.split("\n").find((l) => l.startsWith("mittelo: ")) ?? "";
}

t.test("a YAML alias bomb is exit 2 with line:col, not exit 1 with a stack", async (t) => {
  const dir = t.testdir({
    "bomb.yaml": [
      "version: 1",
      "a: &a [x,x,x,x,x,x,x,x,x]",
      "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
      "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
      "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]",
      "backends: {}",
      "",
    ].join("\n"),
  });
  for (const args of [["validate"], ["matrix", "--out-dir", join(dir, "out")]]) {
    const command = args[0] ?? "";
    const result = await runCli([...args, "--manifest", join(dir, "bomb.yaml")]);
    t.equal(result.code, 2, `${command}: exit 2`);
    t.match(result.stderr, /bomb\.yaml:\d+:\d+: error\[yaml-alias-limit\]/, command);
    t.notMatch(result.stderr, NO_STACK);
  }
});

t.test("a backend name longer than 64 characters is refused by validate, so matrix never makes a folder name too long", async (t) => {
  const name = `b${"x".repeat(300)}`;
  const dir = t.testdir({ "long.yaml": `version: 1\nbackends:\n  ${name}: { invoke: { argv: [cat] } }\n` });
  for (const args of [["validate"], ["matrix", "--out-dir", join(dir, "out")]]) {
    const command = args[0] ?? "";
    const result = await runCli([...args, "--manifest", join(dir, "long.yaml")]);
    t.equal(result.code, 2, `${command}: exit 2`);
    t.match(result.stderr, "error[bad-name]");
    t.match(result.stderr, "301 characters long, more than 64");
    t.notMatch(result.stderr, "internal error");
    t.notMatch(result.stderr, NO_STACK);
  }
});

t.test("--out-dir that is a file, --junit or --tickets under a file: exit 2 before anything runs", async (t) => {
  const dir = t.testdir({ file: "not a folder\n" });
  const file = join(dir, "file");
  const cases: Array<[string[], RegExp]> = [
    [["--out-dir", file], /--out-dir .*file: .*file is a file, not a folder/],
    [["--out-dir", join(file, "sub")], /--out-dir .*sub: .*file is a file, not a folder/],
    [["--out-dir", join(dir, "out1"), "--junit", join(file, "junit.xml")], /--junit .*junit\.xml: .*file is a file, not a folder/],
    [["--out-dir", join(dir, "out2"), "--tickets", join(file, "x", "T.md")], /--tickets .*T\.md: .*file is a file, not a folder/],
    [["--out-dir", join(dir, "out3"), "--junit", dir], /--junit .* is a folder; it must name a file/],
  ];
  for (const [flags, line] of cases) {
    const result = await runCli(["matrix", "--manifest", MINIMAL, "--reporter", "none", ...flags]);
    t.equal(result.code, 2, flags.join(" "));
    t.match(mitteloLine(result.stderr), line);
    t.notMatch(result.stderr, NO_STACK);
  }
  t.notOk(existsSync(join(dir, "out1")), "nothing ran: no report folder was made");
});

t.test("--out-dir under /proc is exit 2 at once, not a loop at 100 % CPU", { skip: process.platform !== "linux" && "needs /proc" }, async (t) => {
  const result = await spawnCli(["matrix", "--manifest", MINIMAL, "--out-dir", "/proc/mittelo-x/y", "--reporter", "none"], { timeout: 60_000 });
  t.equal(result.code, 2);
  t.match(mitteloLine(result.stderr), /--out-dir \/proc\/mittelo-x\/y: cannot create \/proc\/mittelo-x/);
});

t.test("terminal control sequences from a manifest are shown escaped, never sent raw to the terminal", async (t) => {
  const dir = t.testdir({
    "ctl.yaml": "version: 1\nbackends:\n  cat:\n    invoke: { argv: [cat] }\n    \u001b]0;owned\u0007\u001b[2Jkey\u202e: 1\n",
  });
  const result = await runCli(["validate", "--manifest", join(dir, "ctl.yaml")]);
  t.equal(result.code, 2);
  t.notMatch(result.stderr, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/, "no raw control character");
  t.match(result.stderr, "\\x1b]0;owned\\x07\\x1b[2Jkey\\u202e");
  const flag = await runCli(["matrix", "--manifest", join(ROOT, "matrix.yaml"), "--include", "\u001b[2Jnope", "--list"]);
  t.equal(flag.code, 2);
  t.match(mitteloLine(flag.stderr), "no backend named '\\x1b[2Jnope'");
});

t.test("a manifest that is not UTF-8 is exit 2 naming the encoding", async (t) => {
  const dir = t.testdir();
  writeFileSync(join(dir, "latin1.yaml"), Buffer.from("version: 1\nbackends:\n  cat: { invoke: { argv: [cat] }, description: caf\xe9 }\n", "latin1"));
  writeFileSync(join(dir, "utf16.yaml"), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("version: 1\nbackends: {}\n", "utf16le")]));
  const latin1 = await runCli(["validate", "--manifest", join(dir, "latin1.yaml")]);
  t.equal(latin1.code, 2);
  t.match(latin1.stderr, /latin1\.yaml:3:\d+: error\[manifest-encoding\] the manifest is not valid UTF-8: byte 0xe9 .*Latin-1/);
  const utf16 = await runCli(["validate", "--manifest", join(dir, "utf16.yaml")]);
  t.equal(utf16.code, 2);
  t.match(utf16.stderr, "error[manifest-encoding] the manifest is encoded as UTF-16 (little-endian); it must be UTF-8");
});

t.test("a manifest over the size limit is exit 2 naming the limit, read no further", async (t) => {
  const dir = t.testdir();
  writeFileSync(join(dir, "huge.yaml"), `version: 1\nbackends: {}\n${"# padding\n".repeat(600_000)}`);
  const result = await runCli(["validate", "--manifest", join(dir, "huge.yaml")]);
  t.equal(result.code, 2);
  t.match(result.stderr, /error\[manifest-too-large\] the manifest is 5\.\d MiB, more than the limit of 4\.0 MiB/);
});

t.test("a deep alias_of chain validates and plans (no recursion limit, no quadratic walk)", async (t) => {
  // A default case: a backend with nothing to run is left out of the plan (issue 10).
  const lines = ["version: 1", "defaults:", "  cases:", "    - { name: smoke, prompt: hi }", "backends:", "  b0: { invoke: { argv: [cat] } }"];
  for (let i = 1; i < 5000; i++) lines.push(`  b${i}: { alias_of: b${i - 1} }`);
  const dir = t.testdir({ "chain.yaml": `${lines.join("\n")}\n` });
  mkdirSync(join(dir, "backends"));
  const result = await runCli(["matrix", "--manifest", join(dir, "chain.yaml"), "--include", "b4999", "--list"]);
  t.equal(result.code, 0, result.stderr.slice(0, 500));
  t.match(result.stdout, /b4999 +expect/);
});
