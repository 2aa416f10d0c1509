// `npm run gen` regenerates what is generated (the schema types and the hub's METHODS, docs/BACKENDS.md,
// docs/VERSION_LOCK.md). On a copy of the tracked tree it must run, exit 0 and change nothing: git status stays clean.
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { execa } from "execa";
import t from "tap";
import { ROOT } from "../helpers/cli.ts";

t.test("npm run gen works on a clean copy and changes nothing", async (t) => {
  const dir = t.testdir();
  const tracked = (await execa("git", ["ls-files", "-z"], { cwd: ROOT })).stdout.split("\0").filter(Boolean);
  for (const file of tracked) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(dir, file));
  }
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  const git = (...args: string[]) =>
    execa("git", ["-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false", ...args], { cwd: dir });
  await git("init", "-q");
  writeFileSync(join(dir, ".git", "info", "exclude"), "node_modules\n");
  await git("add", "-A");
  await git("commit", "-qm", "copy");

  const gen = await execa("npm", ["run", "gen"], { cwd: dir, reject: false });
  t.equal(gen.exitCode, 0, "npm run gen exits 0", { stdout: gen.stdout, stderr: gen.stderr });
  t.match(gen.stderr, "wrote src/manifest/schema-types.ts", "the manifest types were generated");
  t.match(gen.stderr, "wrote src/hub/protocol-types.ts", "the protocol types and METHODS were generated");
  t.match(gen.stdout, "docs are fresh", "the docs were generated (and were fresh)");
  const status = await git("status", "--porcelain");
  t.equal(status.stdout, "", "nothing changed");
});
