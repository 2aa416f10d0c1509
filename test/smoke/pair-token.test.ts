// The pair smoke's own hub takes a fresh token, given to the hub and its agents in their environment: it works with
// the user's MITTELO_TOKEN exported (which used to make the smoke's own client fail), and no token reaches an artifact.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { spawnCli } from "../helpers/cli.ts";

t.test("pair-smoke with MITTELO_TOKEN exported: its hub requires a token, the smoke passes, no token in the artifacts", async (t) => {
  const token = "user-hub-token-0123456789";
  const out = join(t.testdir(), "pair");
  const run = await spawnCli(["pair-smoke", "--backend-a", "echo", "--backend-b", "echo", "--tasks", "4", "--out-dir", out], { env: { MITTELO_TOKEN: token } });
  t.equal(run.code, 0, run.stdout + run.stderr);
  t.match(run.stdout, /pair echo-echo: PASS \(ok\)/);
  t.match(readFileSync(join(out, "hub.log"), "utf8"), "token required", "the smoke's hub is not open to every local user");
  for (const name of readdirSync(out)) t.notMatch(readFileSync(join(out, name), "utf8"), token, `no token in ${name}`);
});
