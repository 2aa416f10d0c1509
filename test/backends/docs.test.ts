// `mittelo docs`: the committed docs/BACKENDS.md and docs/VERSION_LOCK.md are fresh; --check catches stale ones.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { generateDocs } from "../../src/docs/generate.ts";
import { readManifest } from "../../src/manifest/read.ts";
import { ROOT, runCli } from "../helpers/cli.ts";

t.test("the committed docs are fresh (run `npx mittelo docs` after editing matrix.yaml)", async (t) => {
  const read = await readManifest(join(ROOT, "matrix.yaml"));
  if (!read.ok) throw new Error(read.report);
  for (const doc of generateDocs(read.manifest)) {
    t.equal(readFileSync(join(ROOT, doc.file), "utf8"), doc.content, `${doc.file} is stale: run npx mittelo docs`);
  }
  const check = await runCli(["docs", "--check", "--manifest", join(ROOT, "matrix.yaml")]);
  t.equal(check.code, 0, check.stderr);
});

t.test("docs --check exits 1 when the docs are missing", async (t) => {
  const dir = t.testdir({ "matrix.yaml": "version: 1\nbackends:\n  solo:\n    invoke: { argv: [solo] }\n" });
  const check = await runCli(["docs", "--check", "--manifest", join(dir, "matrix.yaml")]);
  t.equal(check.code, 1);
  t.match(check.stderr, /stale: docs\/BACKENDS\.md, docs\/VERSION_LOCK\.md/);
  const write = await runCli(["docs", "--manifest", join(dir, "matrix.yaml")]);
  t.equal(write.code, 0);
  t.match(readFileSync(join(dir, "docs/BACKENDS.md"), "utf8"), /## solo/);
  t.equal((await runCli(["docs", "--check", "--manifest", join(dir, "matrix.yaml")])).code, 0);
});
