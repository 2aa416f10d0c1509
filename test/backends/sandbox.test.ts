// The one sandbox builder: a private folder (0700) outside any report holding HOME, TMPDIR and the auth files (0600),
// removed on dispose; a work dir kept where the caller asks.
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { createSandbox, inside } from "../../src/backends/sandbox.ts";

t.test("createSandbox: private folder 0700, auth files 0600, a kept work dir outside it; dispose removes the private folder", async (t) => {
  const dir = t.testdir();
  const realHome = join(dir, "real");
  mkdirSync(join(realHome, ".tool"), { recursive: true });
  writeFileSync(join(realHome, ".tool", "auth.json"), '{"token":"tok-0123456789abcdef"}');
  writeFileSync(join(dir, "outside.txt"), "not a credential of this backend");
  const sandbox = createSandbox({
    label: "test",
    home: true,
    workdir: { keep: join(dir, "report", "b", "work") },
    realHome,
    authFiles: [".tool/auth.json", "../outside.txt", "/etc/passwd", ".tool/missing.json"],
    homeFiles: { ".stub/settings.json": "{}" },
  });
  const root = sandbox.root as string;
  t.equal(statSync(root).mode & 0o777, 0o700, "the private folder is 0700");
  t.notOk(root.startsWith(dir), "the private folder is not under the report");
  t.same(sandbox.copiedAuth, [".tool/auth.json"], "only auth files inside the real HOME are copied");
  const copied = join(sandbox.home as string, ".tool", "auth.json");
  t.equal(statSync(copied).mode & 0o777, 0o600, "a copied auth file is 0600");
  t.equal(statSync(join(sandbox.home as string, ".tool")).mode & 0o777, 0o700);
  t.ok(sandbox.authSecrets.includes("tok-0123456789abcdef"), "the secrets inside it are known to the redactor");
  t.equal(sandbox.env.HOME, sandbox.home);
  t.equal(sandbox.env.XDG_CONFIG_HOME, join(sandbox.home as string, ".config"));
  t.ok(sandbox.env.TMPDIR?.startsWith(root), "TMPDIR is private too");
  t.equal(sandbox.env.MITTELO_SUBPROCESS_WORKDIR, join(dir, "report", "b", "work"));
  t.ok(existsSync(join(sandbox.home as string, ".stub", "settings.json")));
  writeFileSync(join(sandbox.workdir, "answer.txt"), "what the CLI wrote");
  sandbox.dispose();
  t.notOk(existsSync(root), "dispose removes the private folder");
  t.ok(existsSync(join(dir, "report", "b", "work", "answer.txt")), "and keeps the work dir with what the CLI wrote");
  t.same(sandbox.dispose(), { redacted: [], removed: [] }, "a second dispose is harmless");
});

t.test("inside: a path relative to HOME stays in it, whatever HOME looks like", async (t) => {
  t.equal(inside("/home/u/", ".codex/auth.json"), "/home/u/.codex/auth.json", "HOME with a trailing slash");
  t.equal(inside("/home/u", "a/../b"), "/home/u/b");
  t.equal(inside("/home/u", "../v/x"), undefined);
  t.equal(inside("/home/u", "/etc/passwd"), undefined);
  t.equal(inside("/home/u", "."), undefined);
  t.equal(inside("/", "x"), "/x", "HOME at the root");
});

t.test("an empty kept work dir is removed on dispose (nothing to inspect)", async (t) => {
  const dir = t.testdir();
  const sandbox = createSandbox({ label: "test", home: true, workdir: { keep: join(dir, "b", "work") } });
  sandbox.dispose();
  t.notOk(existsSync(join(dir, "b", "work")));
});
