// Wrappers and discovery: every declared backend has its backends/<name>/run; _template and archive are never
// discovered; a folder-only backend is planned and passes preflight; the template and the tmux wrapper really run.
import { accessSync, chmodSync, constants, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import t from "tap";
import { backendRoots, discoverBackends } from "../../src/manifest/discover.ts";
import { openPlan } from "../../src/manifest/open.ts";
import { readManifest } from "../../src/manifest/read.ts";
import { preflight } from "../../src/preflight/preflight.ts";
import { ROOT } from "../helpers/cli.ts";

// Through `env -u NODE_OPTIONS`: tap's coverage hook adds NODE_OPTIONS to every child, which makes Node load an
// extensionless ESM script through require() and fail; real runs never see it.
const run = (file: string, input: string, env: Record<string, string> = {}) =>
  execa("env", ["-u", "NODE_OPTIONS", file], {
    input,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    extendEnv: false,
    reject: false,
    timeout: 30_000,
  });

t.test("every backend of matrix.yaml has an executable wrapper; argv backends delegate to `mittelo exec`", async (t) => {
  const read = await readManifest(join(ROOT, "matrix.yaml"));
  if (!read.ok) throw new Error(read.report);
  for (const [name, entry] of Object.entries(read.manifest.backends)) {
    const wrapper = join(ROOT, "backends", name, "run");
    t.doesNotThrow(() => accessSync(wrapper, constants.X_OK), `${name}: backends/${name}/run is executable`);
    if (entry.invoke?.argv) {
      const lines = readFileSync(wrapper, "utf8").trimEnd().split("\n");
      t.equal(lines.length, 3, `${name}: a 3-line wrapper`);
      t.equal(lines[0], "#!/bin/sh");
      t.equal(
        lines[2],
        `exec node "$(dirname "$0")/../../bin/mittelo.mjs" exec --manifest "\${MITTELO_MANIFEST:-$(dirname "$0")/../../matrix.yaml}" --backend ${name}`,
      );
    }
  }
});

t.test("an argv wrapper finds its manifest from any working directory and says what is missing", async (t) => {
  const cwd = t.testdir();
  const result = await execa(join(ROOT, "backends/codex/run"), [], {
    cwd,
    input: "hi",
    env: { PATH: `${join(process.execPath, "..")}:/usr/bin:/bin`, HOME: cwd },
    extendEnv: false,
    reject: false,
  });
  t.equal(result.exitCode, 1);
  t.match(result.stderr, "mittelo exec codex: ERROR spawn: could not start codex");
  t.match(result.stderr, "npm install -g @openai/codex@");
  t.equal(result.stdout, "", "nothing but the answer ever goes to stdout");
});

t.test("discovery skips _template, archive and dot folders", async (t) => {
  const shipped = discoverBackends(backendRoots(ROOT, {})).map((b) => b.name);
  t.ok(shipped.includes("tmux"));
  t.notOk(shipped.includes("_template"));
  t.notOk(shipped.includes("archive"));
  const dir = t.testdir({
    "matrix.yaml": "version: 1\nbackends: {}\n",
    backends: { foo: {}, _template: {}, archive: { old: {} }, ".hidden": {}, archive2: {} },
  });
  for (const sub of ["foo", "_template", "archive", "archive/old", ".hidden"]) {
    const file = join(dir, "backends", sub, "run");
    writeFileSync(file, "#!/bin/sh\ncat\n");
    chmodSync(file, 0o755);
  }
  t.same(
    discoverBackends(backendRoots(dir, {})).map((b) => b.name),
    ["foo"],
  );
});

t.test("a folder-only backend is planned with default settings and passes preflight", async (t) => {
  const dir = t.testdir({
    "matrix.yaml": "version: 1\nbackends: {}\n",
    backends: { foo: { run: "#!/bin/sh\ncat\n" } },
    extra: { bar: { run: "#!/bin/sh\ncat\n" } },
  });
  chmodSync(join(dir, "backends/foo/run"), 0o755);
  chmodSync(join(dir, "extra/bar/run"), 0o755);
  const plan = await openPlan(join(dir, "matrix.yaml"), {}, { MITTELO_BACKENDS_DIR: join(dir, "extra") });
  t.same(
    plan.backends.map((b) => [b.name, b.source]),
    [
      ["bar", "folder"],
      ["foo", "folder"],
    ],
  );
  const foo = plan.backends.find((b) => b.name === "foo");
  if (!foo) throw new Error("foo not planned");
  const result = await preflight(foo, { env: { PATH: "", HOME: join(dir, "home") }, probeTimeoutMs: 2000 });
  t.equal(result.status, "ok", JSON.stringify(result.findings));
});

t.test("the template wrapper runs as shipped", async (t) => {
  const result = await run(join(ROOT, "backends/_template/run"), "Return exactly: hello");
  t.equal(result.exitCode, 0, String(result.stderr));
  t.equal(result.stdout, "hello");
});

const tmux = await execa("tmux", ["-V"], { reject: false });
t.test("tmux: a private session answers, exit code and stderr come back", { skip: tmux.exitCode === 0 ? false : "tmux not installed" }, async (t) => {
  const wrapper = join(ROOT, "backends/tmux/run");
  const home = t.testdir();
  const ok = await run(wrapper, "Return exactly: mittelo smoke ok\nsecond line\n", { HOME: home });
  t.equal(ok.exitCode, 0, String(ok.stderr));
  t.equal(ok.stdout, "Return exactly: mittelo smoke ok\nsecond line");
  const failing = await run(wrapper, "x", { HOME: home, MITTELO_TMUX_COMMAND: "sh -c 'echo oops >&2; exit 3'" });
  t.equal(failing.exitCode, 3);
  t.equal(failing.stdout, "");
  t.match(failing.stderr, /oops/);
});

t.test("tmux: an existing target pane on its own socket", { skip: tmux.exitCode === 0 ? false : "tmux not installed" }, async (t) => {
  const socket = `mittelo-test-${process.pid}`;
  const home = t.testdir();
  mkdirSync(join(home, "w"));
  const env = { PATH: process.env.PATH ?? "", HOME: home };
  await execa("tmux", ["-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", "target", "/bin/sh"], { env, extendEnv: false });
  t.teardown(async () => {
    await execa("tmux", ["-L", socket, "kill-server"], { reject: false });
    rmSync(join(process.env.TMUX_TMPDIR || "/tmp", `tmux-${process.getuid?.() ?? 0}`, socket), { force: true });
  });
  const result = await run(join(ROOT, "backends/tmux/run"), "through the pane", {
    HOME: home,
    MITTELO_TMUX_TARGET: "target:0.0",
    MITTELO_TMUX_SOCKET: socket,
    MITTELO_TMUX_COMMAND: "tr a-z A-Z",
  });
  t.equal(result.exitCode, 0, String(result.stderr));
  t.equal(result.stdout, "THROUGH THE PANE");
  const alive = await execa("tmux", ["-L", socket, "has-session", "-t", "target"], { reject: false });
  t.equal(alive.exitCode, 0, "the user's session is left running");
});
