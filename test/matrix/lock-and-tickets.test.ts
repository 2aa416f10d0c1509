import { copyFileSync, cpSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import t from "tap";
import { applyLockUpdates } from "../../src/manifest/update-lock.ts";
import { ROOT, runCli } from "../helpers/cli.ts";

t.test("applyLockUpdates keeps comments and formatting", async (t) => {
  const source = `# top comment
version: 1
backends:
  tool:   # the tool
    version:
      command: [tool, --version]
      lock: 1.0.0 # pinned
  other: { invoke: { argv: [other] } }
`;
  const { text, changed } = applyLockUpdates(
    source,
    [
      { backend: "tool", version: "1.2.3" },
      { backend: "other", version: "9.9.9" },
    ],
    "2026-11-24",
  );
  t.same(changed, ["tool"], "only backends with a version block change");
  t.match(text, "# top comment");
  t.equal(
    text,
    source.replace("lock: 1.0.0 # pinned", "lock: 1.2.3 # pinned\n      verified: 2026-11-24"),
    "only the lock changed and verified was added; everything else is byte for byte the same",
  );
  const flow = applyLockUpdates("backends:\n  a: { version: { command: [a], lock: '1.0' } }\n", [{ backend: "a", version: "2.0" }], "2026-01-02");
  t.equal(flow.text, "backends:\n  a: { version: { command: [a], lock: '2.0', verified: 2026-01-02 } }\n");
});

t.test("--update-lock and --tickets through the CLI", async (t) => {
  const dir = t.testdir();
  cpSync(`${ROOT}/test/fixtures/matrix/backends`, join(dir, "backends"), { recursive: true });
  copyFileSync(`${ROOT}/test/fixtures/matrix/matrix.yaml`, join(dir, "matrix.yaml"));
  const manifest = join(dir, "matrix.yaml");
  const original = readFileSync(manifest, "utf8");
  const patched = original.replace(
    "  pass:    { invoke: { wrapper: backends/pass/run }, expect: { default: pass } }",
    "  pass:\n    invoke: { wrapper: backends/pass/run }\n    # locked by hand\n    version: { command: [node, --version], pattern: 'v(\\S+)', lock: 0.0.1 }\n    expect: { default: pass }",
  );
  const { writeFileSync } = await import("node:fs");
  writeFileSync(manifest, patched);
  const tickets = join(dir, "QA_TICKETS.md");
  const result = await runCli([
    "matrix",
    "--manifest",
    manifest,
    "--include",
    "pass",
    "--include",
    "fail",
    "--run-on-warn",
    "--update-lock",
    "--tickets",
    tickets,
    "--out-dir",
    join(dir, "out"),
    "--reporter",
    "none",
  ]);
  t.equal(result.code, 0, result.stderr);
  const updated = readFileSync(manifest, "utf8");
  t.match(updated, `lock: ${process.versions.node}`);
  t.match(updated, "# locked by hand");
  t.match(updated, /verified: \d{4}-\d{2}-\d{2}/);
  const text = readFileSync(tickets, "utf8");
  t.match(text, "### fail: expected FAIL, got FAIL (exit-code)");
  t.match(text, "**Reproduce:**");
  t.match(text, "**Environment:**");

  // The reproduction command works as printed: its prompt.txt exists beside the artifacts, and running it gives the same failure.
  t.equal(readFileSync(join(dir, "out", "fail", "smoke", "prompt.txt"), "utf8"), "Return exactly: mittelo smoke ok");
  const block = /### fail:[\s\S]*?\*\*Reproduce:\*\*\n\n```sh\n([\s\S]*?)```/.exec(text)?.[1] ?? "";
  t.match(block, /< \S*prompt\.txt/);
  const again = await execa("sh", ["-c", block], { reject: false });
  t.equal(again.exitCode, 3, "the command reproduces the failure", { block, stderr: again.stderr });
  t.match(again.stderr, "internal error: something broke");
});

t.test("--update-lock writes a version as a YAML scalar that reads back (quoted in a flow map when it must be), never corrupts the manifest", async (t) => {
  const dir = t.testdir();
  cpSync(`${ROOT}/test/fixtures/matrix/backends`, join(dir, "backends"), { recursive: true });
  const manifest = join(dir, "matrix.yaml");
  const { writeFileSync } = await import("node:fs");
  writeFileSync(
    manifest,
    [
      "version: 1",
      "defaults: { cases: [{ name: smoke, prompt: hi, expect: { stdout: { contains: mittelo smoke ok } } }] }",
      "backends:",
      // 2.1 written plain would read back as the number 2.1 (and fail the schema)
      `  short: { invoke: { wrapper: backends/pass/run }, version: { command: [node, -e, "console.log('tool 2.1')"], pattern: "tool (.+)" } }`,
      // text that would end the flow map and add a key, written plain
      `  evil: { invoke: { wrapper: backends/pass/run }, version: { command: [node, -e, "console.log('tool 1.2.3, evil: {x}')"], pattern: "tool (.+)" } }`,
      "",
    ].join("\n"),
  );
  const result = await runCli([
    "matrix",
    "--manifest",
    manifest,
    "--include",
    "short",
    "--include",
    "evil",
    "--update-lock",
    "--run-on-warn",
    "--out-dir",
    join(dir, "out"),
    "--reporter",
    "none",
  ]);
  t.equal(result.code, 0, result.stderr);
  t.match(result.stderr, 'version lock of evil unchanged: the version text "1.2.3, evil: {x}" is not written: it is not a version or a semver range');
  const text = readFileSync(manifest, "utf8");
  t.match(text, `lock: "2.1", verified: `);
  t.notMatch(text, "lock: 1.2.3");
  const validate = await runCli(["validate", "--manifest", manifest]);
  t.equal(validate.code, 0, `the updated manifest is valid: ${validate.stderr}`);
  t.same(
    readdirSync(dir).filter((n) => n.includes(".tmp")),
    [],
    "written atomically: no temp file left",
  );
});
