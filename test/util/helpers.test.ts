// The one copy of each small helper that used to be repeated: shell quoting, text tables, the executable check and
// the loopback probe. Real shells, real files and a real socket; nothing mocked.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { executableProblem, isExecutableFile } from "../../src/util/executable.ts";
import { probeLoopback } from "../../src/util/loopback.ts";
import { shellCommand, shellQuote } from "../../src/util/shell-quote.ts";
import { textTable, truncate } from "../../src/util/text-table.ts";

t.test("shellQuote: what /bin/sh reads back is the argument, byte for byte", async (t) => {
  const args = ["plain", "a b", "it's", "", "$HOME", "`id`", "a\nb", "-c", "key=v,w", "ünï", "*", "'"];
  const out = execFileSync("/bin/sh", ["-c", `for a in ${args.map(shellQuote).join(" ")}; do printf '[%s]' "$a"; done`], { encoding: "utf8" });
  t.equal(out, args.map((a) => `[${a}]`).join(""));
  t.equal(shellQuote("backends/codex/run"), "backends/codex/run", "safe characters stay bare");
  t.equal(shellCommand(["codex", "exec", "say hi"]), "codex exec 'say hi'");
});

t.test("textTable: aligned columns, a rule, a width, code points", async (t) => {
  t.same(
    textTable(
      ["A", "LONGER"],
      [
        ["xyz", "1"],
        ["é", "2"],
      ],
    ),
    ["A    LONGER", "xyz  1", "é    2"],
  );
  t.same(textTable(["a", "b"], [["1", "2"]], { rule: true }), ["a  b", "-  -", "1  2"]);
  t.same(textTable(["ID", "TEXT"], [["1", "a long text that is cut"]], { width: 12 }), ["ID  TEXT", "1   a long …"]);
  t.equal(textTable(["x", "y"], [["1", ""]])[1], "1", "no trailing blanks");
  t.equal(truncate("🙂🙂🙂", 2), "🙂…");
  t.equal(truncate("abc", 0), "");
});

t.test("executableProblem: missing, a folder, not executable, a dangling link, ok", async (t) => {
  const dir = t.testdir();
  const file = join(dir, "run");
  writeFileSync(file, "#!/bin/sh\n");
  mkdirSync(join(dir, "folder"));
  symlinkSync(join(dir, "nowhere"), join(dir, "dangling"));
  t.equal(executableProblem(join(dir, "missing")), "does not exist");
  t.equal(executableProblem(join(dir, "folder")), "is not a file");
  t.equal(executableProblem(join(dir, "dangling")), "does not exist");
  t.equal(executableProblem(file), "is not executable");
  chmodSync(file, 0o755);
  t.equal(executableProblem(file), undefined);
  t.equal(isExecutableFile(file), true);
});

t.test("probeLoopback: a port on 127.0.0.1, an error for an address that is not ours", async (t) => {
  const ok = await probeLoopback();
  t.ok(ok.ok && ok.port > 0, "bound a port");
  const bad = await probeLoopback("192.0.2.1");
  t.equal(bad.ok, false, "TEST-NET-1 is not a local address");
  if (!bad.ok) t.match(bad.error, /EADDRNOTAVAIL|EINVAL/);
});
