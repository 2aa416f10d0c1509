// `npx zx harness/run.mjs --profile ci` on the real matrix.yaml: the echo/echo pair is part of the run and passes.
import { execa } from "execa";
import t from "tap";
import { ROOT } from "../helpers/cli.ts";

t.test("matrix.yaml --profile ci: the echo/echo pair passes", async (t) => {
  const out = t.testdir();
  const run = await execa("npx", ["zx", "harness/run.mjs", "--profile", "ci", "-i", "echo", "-o", out], { cwd: ROOT, reject: false });
  t.equal(run.exitCode, 0, String(run.stdout) + String(run.stderr));
  t.match(run.stdout, /ok \d+ - pair echo-echo \(echo \+ echo\) PASS/);
});
