import { execa } from "execa";
import t from "tap";
import { ROOT } from "../helpers/cli.ts";

t.test("src/manifest/schema-types.ts is generated from the schema and fresh", async (t) => {
  const result = await execa("node", ["scripts/gen-types.mjs", "--check"], { cwd: ROOT, reject: false });
  t.equal(result.exitCode, 0, result.stderr);
});
