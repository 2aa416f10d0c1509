// Least privilege through the one sandbox builder: auth paths cannot leave HOME; `mittelo exec` run by hand gets a
// private HOME; neither a backend nor its preflight probes see MITTELO_TOKEN or a secret the backend does not declare.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { cliEnv, spawnCli } from "../helpers/cli.ts";

t.test("an auth file path that leaves HOME is a manifest error (exit 2)", async (t) => {
  const dir = t.testdir({ "m.yaml": "version: 1\nbackends:\n  cat:\n    invoke: { argv: [cat] }\n    requires: { auth_files: [../../etc/shadow] }\n" });
  const result = await spawnCli(["validate", "--manifest", join(dir, "m.yaml")]);
  t.equal(result.code, 2);
  t.match(result.stderr, /m\.yaml:5:30: error\[bad-format\] backends\.cat\.requires\.auth_files\[0\]: the string "\.\.\/\.\.\/etc\/shadow"/);
  t.match(result.stderr, "hint: A path relative to HOME that stays inside it");
});

t.test("mittelo exec run by hand: the backend gets a private HOME (removed after), not the real one, and no MITTELO_TOKEN", async (t) => {
  const dir = t.testdir({
    "m.yaml": [
      "version: 1",
      "backends:",
      "  show:",
      `    invoke: { argv: [sh, -c, 'cat >/dev/null; echo "HOME=$HOME TOKEN=\${MITTELO_TOKEN:-none} KEY=\${OTHER_API_KEY:-none}"'] }`,
      "",
    ].join("\n"),
    home: {},
  });
  const home = join(dir, "home");
  const result = await spawnCli(["exec", "--manifest", join(dir, "m.yaml"), "--backend", "show"], {
    env: { ...cliEnv(), HOME: home, MITTELO_TOKEN: "hub-token-0123456789", OTHER_API_KEY: "sk-other-0123456789" },
    input: "hi",
  });
  t.equal(result.code, 0, result.stderr);
  const seen = /HOME=(\S+) TOKEN=(\S+) KEY=(\S+)/.exec(result.stdout);
  t.not(seen?.[1], home, "not the real HOME");
  t.notOk(existsSync(seen?.[1] ?? ""), "the private HOME is gone after the run");
  t.equal(seen?.[2], "none", "MITTELO_TOKEN never reaches a backend");
  t.equal(seen?.[3], "none", "an undeclared secret is withheld");
});

t.test("preflight probes see only what the backend may see", async (t) => {
  const dir = t.testdir({
    "m.yaml": [
      "version: 1",
      "backends:",
      "  probe:",
      "    invoke: { argv: [cat] }",
      `    version: { command: [sh, -c, 'echo "1.0.0 \${OTHER_API_KEY:-withheld} \${MITTELO_TOKEN:-none}"'], pattern: "^(.*)$" }`,
      "",
    ].join("\n"),
  });
  const result = await spawnCli(["backend-check", "--manifest", join(dir, "m.yaml"), "--backend", "probe", "--json"], {
    env: { ...cliEnv(), MITTELO_TOKEN: "hub-token-0123456789", OTHER_API_KEY: "sk-other-0123456789" },
  });
  const json = JSON.parse(result.stdout) as { version?: { seen?: string } };
  t.equal(json.version?.seen, "1.0.0 withheld none");
  t.notMatch(readFileSync(join(dir, "m.yaml"), "utf8"), "sk-other");
});
