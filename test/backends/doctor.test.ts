// `mittelo doctor`: --core passes with no AI CLI (as CI runs it, a real process); the full run tables every backend.
import { join } from "node:path";
import t from "tap";
import { ROOT, runCli, spawnCli } from "../helpers/cli.ts";
import { bareEnv, useEnv } from "../fixtures/clis/env.ts";

t.test("doctor --core passes with no AI CLI installed", async (t) => {
  const bare = bareEnv(t);
  const result = await spawnCli(["doctor", "--core", "--json"], { env: { ...bare, PATH: `${bare.PATH}:${process.env.PATH}` } });
  t.equal(result.code, 0, result.stderr);
  const out = JSON.parse(result.stdout);
  t.equal(out.ok, true);
  t.same(
    out.core.map((c: { name: string }) => c.name),
    ["node", "npm", "loopback", "sqlite", "reports"],
  );
  t.notOk(out.backends, "--core probes no backend");
  for (const c of out.core) t.not(c.status, "fail", `${c.name}: ${c.detail}`);
});

t.test("doctor (full) prints a table of every backend", async (t) => {
  useEnv(t, bareEnv(t));
  const result = await runCli(["doctor", "--manifest", join(ROOT, "matrix.yaml")]);
  t.equal(result.code, 0, result.stderr);
  for (const name of ["echo", "codex", "claude_code", "glm", "gemini", "mlx", "tmux"]) t.match(result.stdout, new RegExp(`^${name}\\s`, "m"));
  t.match(result.stdout, /^mlx\s+fail\s.*platform/m);
  t.match(result.stdout, /^codex\s+fail\s.*npm install -g @openai\/codex@0\.169\.0/m);
});
