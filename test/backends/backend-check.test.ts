// `mittelo backend-check`: exit codes, text, JSON against schemas/preflight.schema.json; once as a real process.
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { validatorFor } from "../../src/util/ajv.ts";
import { ROOT, runCli, spawnCli } from "../helpers/cli.ts";
import { bareEnv, useEnv } from "../fixtures/clis/env.ts";

const manifest = ["--manifest", join(ROOT, "matrix.yaml")];

t.test("as a real process: codex with no codex → fail missing-binary, pinned install, exit 1; JSON is schema-valid", async (t) => {
  const json = await spawnCli(["backend-check", "--backend", "codex", "--json"], { env: bareEnv(t) });
  t.equal(json.code, 1, json.stderr);
  const result = JSON.parse(json.stdout);
  const valid = validatorFor("preflight.schema.json");
  t.ok(valid(result), JSON.stringify(valid.errors));
  t.equal(result.status, "fail");
  t.equal(result.findings[0].code, "missing-binary");
  t.equal(result.findings[0].hint, "npm install -g @openai/codex@0.169.0");
});

t.test("echo → ok, exit 0", async (t) => {
  useEnv(t, bareEnv(t));
  const result = await runCli(["backend-check", "--backend", "echo", ...manifest]);
  t.equal(result.code, 0, result.stderr);
  t.match(result.stdout, /^echo: ok/);
});

t.test("codex missing → text names the finding and the fix, exit 1", async (t) => {
  useEnv(t, bareEnv(t));
  const text = await runCli(["backend-check", "--backend", "codex", ...manifest]);
  t.equal(text.code, 1);
  t.match(text.stdout, /missing-binary: codex not found on PATH/);
  t.match(text.stdout, /fix: npm install -g @openai\/codex@0\.169\.0/);
});

t.test("an unknown backend → exit 2 with a suggestion", async (t) => {
  const result = await runCli(["backend-check", "--backend", "codx", ...manifest]);
  t.equal(result.code, 2);
  t.match(result.stderr, /did you mean 'codex'/);
});

t.test("a bad --probe-timeout → exit 2", async (t) => {
  const result = await runCli(["backend-check", "--backend", "echo", "--probe-timeout", "soon", ...manifest]);
  t.equal(result.code, 2);
});

t.test("a warn backend exits 1; every result validates against the schema", async (t) => {
  const env = bareEnv(t);
  symlinkSync(join(ROOT, "test/fixtures/clis/real/codex.mjs"), join(env.PATH as string, "codex"));
  useEnv(t, env);
  const result = await runCli(["backend-check", "--backend", "codex", "--json", ...manifest]);
  t.equal(result.code, 1);
  const parsed = JSON.parse(result.stdout);
  t.equal(parsed.status, "warn");
  t.equal(parsed.version.seen, "0.169.0");
  t.ok(validatorFor("preflight.schema.json")(parsed));
});
