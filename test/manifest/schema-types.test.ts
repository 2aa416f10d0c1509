import { execa } from "execa";
import t from "tap";
import { ROOT } from "../helpers/cli.ts";

t.test("src/manifest/schema-types.ts and src/hub/protocol-types.ts are generated from the schemas and fresh", async (t) => {
  const result = await execa("node", ["scripts/gen-types.mjs", "--check"], { cwd: ROOT, reject: false });
  t.equal(result.exitCode, 0, result.stderr);
});
