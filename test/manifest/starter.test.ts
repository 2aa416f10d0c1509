// `mittelo init`'s starter manifest: the shipped matrix.yaml with what cannot run here commented out (why, and how to
// install it), always valid; init never overwrites without --force; a `$schema` key is accepted; a wrapper the
// manifest names but its folder lacks comes from mittelo's own package.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { openPlan } from "../../src/manifest/open.ts";
import { readManifest } from "../../src/manifest/read.ts";
import { renderStarter } from "../../src/manifest/starter.ts";
import { ROOT, runCli } from "../helpers/cli.ts";

const shipped = readFileSync(join(ROOT, "matrix.yaml"), "utf8");
const names = Object.keys((await readManifest(join(ROOT, "matrix.yaml")).then((r) => (r.ok ? r.manifest : { backends: {} }))).backends);

t.test("only echo available: every other backend is commented out with why and how to install it", async (t) => {
  const backends = Object.fromEntries(
    names.map((n) => [n, n === "echo" ? { active: true } : { active: false, why: `${n}-cli not found on PATH`, install: `npm i -g ${n}` }]),
  );
  const text = renderStarter(shipped, { schemaRef: "./node_modules/mittelo/schemas/matrix.schema.json", version: "9.9.9", backends });
  t.equal(text.split("\n")[0], "# yaml-language-server: $schema=./node_modules/mittelo/schemas/matrix.schema.json");
  t.match(text, "  # codex is off: codex-cli not found on PATH. Install: npm i -g codex, then uncomment the block below.\n  # codex:\n");
  t.match(text, /# - \{ name: codex-claude, .*# needs codex and claude_code\n/);
  const dir = t.testdir({ "matrix.yaml": text });
  const read = await readManifest(join(dir, "matrix.yaml"));
  t.ok(read.ok, read.ok ? "valid" : read.report);
  if (read.ok) {
    t.same(Object.keys(read.manifest.backends), ["echo"], "only echo is active");
    t.same(
      read.manifest.smoke?.pairs?.map((p) => p.name),
      ["echo-echo"],
      "the pair of inactive backends is off",
    );
  }
  // Uncommenting a block (removing the "# " the starter added) gives back the shipped entry.
  const uncommented = text.replace(/^ {2}# (?!\S+ is off:)/gm, "  ").replace(/^ {2}# \S+ is off:.*\n/gm, "");
  const again = await readManifest(join(t.testdir({ "matrix.yaml": uncommented }), "matrix.yaml"));
  t.ok(again.ok && Object.keys(again.manifest.backends).length === names.length, "every block uncomments to a valid entry");
});

t.test("everything available: the shipped manifest under the starter's header", async (t) => {
  const text = renderStarter(shipped, { schemaRef: "x.json", version: "1", backends: Object.fromEntries(names.map((n) => [n, { active: true }])) });
  const body = shipped.split("\n").slice(1).join("\n").replace(/\n*$/, "\n");
  t.equal(text.split("\n").slice(4).join("\n"), body);
});

t.test("mittelo init writes a valid starter and never overwrites without --force", async (t) => {
  const dir = t.testdir();
  const file = join(dir, "matrix.yaml");
  const first = await runCli(["init", "--manifest", file]);
  t.equal(first.code, 0, first.stderr);
  t.match(first.stdout, /^wrote .*matrix\.yaml: \d+ backend\(s\) active \(echo/);
  t.ok((await readManifest(file)).ok);
  writeFileSync(file, "# mine\n");
  const second = await runCli(["init", "--manifest", file]);
  t.equal(second.code, 2);
  t.match(second.stderr, "already exists; nothing was written");
  t.match(second.stderr, "mittelo init --force");
  t.equal(readFileSync(file, "utf8"), "# mine\n", "the user's file is untouched");
  const forced = await runCli(["init", "--manifest", file, "--force"]);
  t.equal(forced.code, 0);
  t.not(readFileSync(file, "utf8"), "# mine\n");
});

t.test("a manifest may carry a $schema key", async (t) => {
  const dir = t.testdir({
    "matrix.yaml": "$schema: ./node_modules/mittelo/schemas/matrix.schema.json\nversion: 1\nbackends:\n  cat: { invoke: { argv: [cat] } }\n",
  });
  const read = await readManifest(join(dir, "matrix.yaml"));
  t.ok(read.ok, read.ok ? "" : read.report);
});

t.test("a wrapper the manifest's folder lacks comes from mittelo's package; one beside the manifest wins", async (t) => {
  const dir = t.testdir({
    "matrix.yaml":
      "version: 1\nbackends:\n  echo: { invoke: { wrapper: backends/echo/run, builtin: echo } }\n  tmux: { invoke: { wrapper: backends/tmux/run } }\n",
  });
  const read = await readManifest(join(dir, "matrix.yaml"));
  t.ok(read.ok, read.ok ? "" : read.report);
  const plan = await openPlan(join(dir, "matrix.yaml"), {}, {});
  const path = (name: string) => plan.backends.find((b) => b.name === name)?.invocation;
  t.match(path("echo"), { kind: "wrapper", path: join(ROOT, "backends", "echo", "run") });
  t.match(path("tmux"), { kind: "wrapper", path: join(ROOT, "backends", "tmux", "run") });

  const own = t.testdir({
    "matrix.yaml": "version: 1\nbackends:\n  echo: { invoke: { wrapper: backends/echo/run } }\n",
    backends: { echo: { run: "#!/bin/sh\ncat\n" } },
  });
  const { chmodSync } = await import("node:fs");
  chmodSync(join(own, "backends", "echo", "run"), 0o755);
  const ownPlan = await openPlan(join(own, "matrix.yaml"), {}, {});
  t.match(ownPlan.backends.find((b) => b.name === "echo")?.invocation, { kind: "wrapper", path: join(own, "backends", "echo", "run") });

  const ghost = await readManifest(
    join(t.testdir({ "matrix.yaml": "version: 1\nbackends:\n  ghost: { invoke: { wrapper: backends/ghost/run } }\n" }), "matrix.yaml"),
  );
  t.notOk(ghost.ok, "a wrapper found nowhere is still an error");
});
