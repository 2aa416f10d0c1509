// preflight() against fixture CLIs that imitate the real ones, on a per-test PATH with a temp HOME.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import t from "tap";
import { preflight } from "../../src/preflight/preflight.ts";
import { skipReasonOf } from "../../src/preflight/status.ts";
import { validatorFor } from "../../src/util/ajv.ts";
import { sandbox, shipped } from "../fixtures/clis/sandbox.ts";

const PROBE = 5000;
const valid = validatorFor("preflight.schema.json");
const codes = (r: { findings: Array<{ code: string; severity: string }> }) => r.findings.map((f) => `${f.severity}:${f.code}`);

t.test("no binary → fail missing-binary with the pinned install command", async (t) => {
  const s = sandbox(t);
  const result = await preflight(await shipped("codex"), { env: s.env, probeTimeoutMs: PROBE });
  t.equal(result.status, "fail");
  t.equal(result.findings[0]?.code, "missing-binary");
  t.equal(result.findings[0]?.hint, "npm install -g @openai/codex@0.169.0");
  t.match(result.findings[0]?.evidence, s.bin);
  t.equal(skipReasonOf(result), "missing-binary");
  t.ok(valid(result), JSON.stringify(valid.errors));
});

t.test("an alternative on PATH does not stand in for the argv's program: missing-binary, not auth", async (t) => {
  const s = sandbox(t);
  const gemini = await shipped("gemini");
  gemini.requires.binaries = [["gemini", "node"]]; // `node` is on the sandbox PATH, as npx is on a real one
  const result = await preflight(gemini, { env: { ...s.env, GEMINI_API_KEY: "x" }, probeTimeoutMs: PROBE });
  t.equal(result.status, "fail");
  t.equal(result.findings[0]?.code, "missing-binary");
  t.equal(result.findings[0]?.message, "gemini not found on PATH");
  t.equal(result.findings[0]?.hint, "npm install -g @google/gemini-cli@0.61.0");
  t.equal(result.binary, undefined, "no binary is reported as the backend's");
  t.equal(skipReasonOf(result), "missing-binary");
});

t.test("without requires.binaries the argv's program is still required, and found", async (t) => {
  const s = sandbox(t, ["real/codex"]);
  const codex = await shipped("codex");
  delete codex.requires.binaries;
  const result = await preflight(codex, { env: { ...s.env, CODEX_API_KEY: "x" }, probeTimeoutMs: PROBE });
  t.equal(result.binary, join(s.bin, "codex"));
  t.equal(result.status, "ok", JSON.stringify(result.findings));
});

t.test("a dangling symlink on PATH is a missing binary, with the link as evidence", async (t) => {
  const s = sandbox(t);
  symlinkSync(join(s.bin, "..", "nowhere", "crush"), join(s.bin, "codex"));
  const result = await preflight(await shipped("codex"), { env: s.env, probeTimeoutMs: PROBE });
  t.equal(result.findings[0]?.code, "missing-binary");
  t.match(result.findings[0]?.evidence, /dangling symlink .*codex -> .*nowhere/);
});

t.test("installed, locked, key set → ok with the real version parsed", async (t) => {
  const s = sandbox(t, ["real/codex"]);
  const result = await preflight(await shipped("codex"), { env: { ...s.env, CODEX_API_KEY: "x" }, probeTimeoutMs: PROBE });
  t.equal(result.status, "ok", JSON.stringify(result.findings));
  t.same(result.version, { locked: "0.169.0", verified: "2026-11-23", seen: "0.169.0", inLock: true });
  t.equal(result.binary, join(s.bin, "codex"));
  t.same(codes(result), ["info:auth-ok"]);
  t.notMatch(JSON.stringify(result), /"x"/, "never the value of a key");
  t.ok(valid(result));
});

t.test("no credentials → warn auth-missing with the login hint", async (t) => {
  const s = sandbox(t, ["real/codex"]);
  const result = await preflight(await shipped("codex"), { env: s.env, probeTimeoutMs: PROBE });
  t.equal(result.status, "warn");
  t.same(codes(result), ["warn:auth-missing"]);
  t.match(result.findings[0]?.hint, /codex login/);
  t.match(result.findings[0]?.evidence, /CODEX_API_KEY/);
});

t.test("auth files are looked for under MITTELO_SUBPROCESS_HOME when set", async (t) => {
  const s = sandbox(t, ["real/codex"]);
  const sub = join(s.home, "..", "subhome");
  mkdirSync(join(sub, ".codex"), { recursive: true });
  writeFileSync(join(sub, ".codex", "auth.json"), "{}");
  const result = await preflight(await shipped("codex"), { env: { ...s.env, MITTELO_SUBPROCESS_HOME: sub }, probeTimeoutMs: PROBE });
  t.equal(result.status, "ok");
  t.match(result.findings[0]?.evidence, join(sub, ".codex", "auth.json"));
});

t.test("an upgraded CLI: version-drift warn and missing-flag fail", async (t) => {
  const s = sandbox(t, ["drift/codex"]);
  const result = await preflight(await shipped("codex"), { env: { ...s.env, CODEX_API_KEY: "x" }, probeTimeoutMs: PROBE });
  t.equal(result.status, "fail");
  t.same(codes(result).sort(), ["fail:missing-flag", "info:auth-ok", "warn:version-drift"]);
  const drift = result.findings.find((f) => f.code === "version-drift");
  t.match(drift?.evidence, /0\.170\.2.*0\.169\.0/);
  t.match(drift?.hint, /npm install -g @openai\/codex@0\.169\.0/);
  const flag = result.findings.find((f) => f.code === "missing-flag");
  t.match(flag?.message, /--skip-git-repo-check, --ephemeral/);
  t.equal(skipReasonOf(result), "missing-flag");
  t.equal(result.version?.inLock, false);
});

t.test("a hanging --version is cut off by the probe timeout, and killed", async (t) => {
  const s = sandbox(t, ["hang/codex"]);
  const pids = join(s.home, "..", "pids");
  mkdirSync(pids);
  const backend = await shipped("codex");
  backend.help = undefined;
  const result = await preflight(backend, { env: { ...s.env, CODEX_API_KEY: "x", FAKE_PID_DIR: pids }, probeTimeoutMs: 2000 });
  t.equal(result.status, "warn");
  const finding = result.findings.find((f) => f.code === "probe-timeout");
  t.ok(finding, JSON.stringify(result.findings));
  t.match(finding?.evidence, /\(y\/n\)/, "the last output line is the evidence");
  for (const file of readdirSync(pids)) {
    const pid = Number(file.replace(/\D/g, ""));
    t.throws(() => process.kill(pid, 0), { code: "ESRCH" }, `probe ${pid} is gone`);
  }
});

t.test("a banner around the version does not fool the parser", async (t) => {
  const s = sandbox(t, ["banner/gemini"]);
  const result = await preflight(await shipped("gemini"), { env: { ...s.env, GEMINI_API_KEY: "x" }, probeTimeoutMs: PROBE });
  t.equal(result.version?.seen, "0.61.0");
  t.equal(result.status, "ok", JSON.stringify(result.findings));
});

t.test("help printed on stderr counts (opencode)", async (t) => {
  const s = sandbox(t, ["real/opencode"]);
  const result = await preflight(await shipped("opencode"), { env: { ...s.env, ANTHROPIC_API_KEY: "x" }, probeTimeoutMs: PROBE });
  t.equal(result.status, "ok", JSON.stringify(result.findings));
});

t.test("no version in the output → version-unknown; no help text → probe-failed", async (t) => {
  const s = sandbox(t, ["quiet/qwen"]);
  const result = await preflight(await shipped("qwen"), { env: { ...s.env, OPENAI_API_KEY: "x" }, probeTimeoutMs: PROBE });
  t.equal(result.status, "warn");
  t.same(codes(result).sort(), ["info:auth-ok", "warn:probe-failed", "warn:version-unknown"]);
});

t.test("claude: the fast auth command decides; auth files are copied into the probe's HOME", async (t) => {
  const s = sandbox(t, ["real/claude"]);
  const backend = await shipped("claude_code");
  const out = await preflight(backend, { env: s.env, probeTimeoutMs: PROBE });
  t.equal(out.status, "warn");
  const missing = out.findings.find((f) => f.code === "auth-missing");
  t.match(missing?.evidence, /`claude auth status` exit 1/);
  t.match(missing?.hint, /\/login/);
  mkdirSync(join(s.home, ".claude"));
  writeFileSync(join(s.home, ".claude", ".credentials.json"), "{}");
  const inFile = await preflight(backend, { env: s.env, probeTimeoutMs: PROBE });
  t.equal(inFile.status, "ok", "an auth file under HOME is a login");
  backend.requires = { ...backend.requires, auth_files: [], env_any_of: [] };
  const viaCommand = await preflight(backend, { env: { ...s.env, ANTHROPIC_API_KEY: "x" }, probeTimeoutMs: PROBE });
  t.equal(viaCommand.status, "ok");
  t.match(viaCommand.findings[0]?.message, /claude auth status/);
});

t.test("glm: an alias of claude_code whose auth is required → fail auth", async (t) => {
  const s = sandbox(t, ["real/claude"]);
  const glm = await shipped("glm");
  t.equal(glm.aliasOf, "claude_code");
  t.equal(glm.env.ANTHROPIC_BASE_URL, "https://api.z.ai/api/anthropic");
  t.ok(
    glm.failures.some((f) => f.pattern.includes("Not logged in")),
    "failure patterns inherited",
  );
  t.equal(glm.model.env, "MITTELO_GLM_MODEL");
  const result = await preflight(glm, { env: { ...s.env, ANTHROPIC_API_KEY: "x" }, probeTimeoutMs: PROBE });
  t.equal(result.status, "fail");
  t.equal(skipReasonOf(result), "auth");
  t.match(result.findings.find((f) => f.severity === "fail")?.hint, /GLM_API_KEY/);
  const ok = await preflight(glm, { env: { ...s.env, GLM_API_KEY: "x" }, probeTimeoutMs: PROBE });
  t.equal(ok.status, "ok", JSON.stringify(ok.findings));
});

t.test("mlx elsewhere than Apple Silicon → fail platform, nothing probed", async (t) => {
  const s = sandbox(t);
  const result = await preflight(await shipped("mlx"), { env: s.env, probeTimeoutMs: PROBE, platform: "linux", arch: "x64" });
  t.same(codes(result), ["fail:platform"]);
  t.equal(skipReasonOf(result), "platform");
  const mac = await preflight(await shipped("mlx"), { env: s.env, probeTimeoutMs: PROBE, platform: "darwin", arch: "arm64" });
  t.equal(mac.findings[0]?.code, "missing-binary", "on a Mac the binary is what is missing");
});

t.test("ollama: the local server must answer (127.0.0.1 only)", async (t) => {
  const s = sandbox(t, ["real/ollama"]);
  const server = createServer((_req, res) => res.end('{"version":"0.12.6"}'));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const backend = await shipped("ollama");
  backend.requires = { ...backend.requires, url: `http://127.0.0.1:${port}/api/version` };
  const up = await preflight(backend, { env: s.env, probeTimeoutMs: PROBE });
  t.equal(up.status, "ok", JSON.stringify(up.findings));
  t.equal(up.version?.seen, "0.12.6");
  await new Promise((resolve) => server.close(resolve));
  const down = await preflight(backend, { env: s.env, probeTimeoutMs: PROBE });
  t.equal(down.status, "fail");
  t.equal(skipReasonOf(down), "network");
  t.match(down.findings[0]?.hint, /ollama serve/);
  backend.requires = { ...backend.requires, url: "http://example.invalid/x" };
  const remote = await preflight(backend, { env: s.env, probeTimeoutMs: PROBE });
  t.equal(remote.status, "ok", "a non-loopback URL is not probed (info only)");
});

t.test("every other imitated CLI: real version parsed, auth finding with its hint", async (t) => {
  const s = sandbox(t, ["real/gemini", "real/qwen", "real/copilot", "real/kiro-cli", "real/kimi", "real/kilo"]);
  const expected: Record<string, string> = { gemini: "0.61.0", qwen: "0.15.10", copilot: "1.0.102", kiro: "1.20.1", kimi: "0.52.0", kilo: "7.7.7" };
  for (const [name, version] of Object.entries(expected)) {
    const backend = await shipped(name);
    const result = await preflight(backend, { env: s.env, probeTimeoutMs: PROBE });
    t.equal(result.version?.seen, version, `${name} version`);
    t.equal(result.version?.inLock, true, `${name} in lock`);
    t.equal(result.status, "warn", `${name}: ${JSON.stringify(result.findings)}`);
    const auth = result.findings.find((f) => f.code === "auth-missing");
    t.equal(auth?.hint, backend.login, `${name} login hint`);
  }
});

t.test("config: a missing or non-executable wrapper, a missing required env var", async (t) => {
  const s = sandbox(t);
  const backend = await shipped("tmux");
  const dir = mkdtempSync(join(tmpdir(), "mittelo-wrapper-"));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  backend.requires = { env_all_of: ["MITTELO_TEST_NEEDED"] };
  backend.version = undefined;
  backend.invocation = { kind: "wrapper", path: join(dir, "run"), prompt: "stdin" };
  const missing = await preflight(backend, { env: s.env, probeTimeoutMs: PROBE });
  t.same(codes(missing), ["fail:config", "fail:env-missing"]);
  t.match(missing.findings[1]?.hint, /export MITTELO_TEST_NEEDED=/);
  writeFileSync(join(dir, "run"), "#!/bin/sh\n");
  chmodSync(join(dir, "run"), 0o644);
  const notExec = await preflight(backend, { env: { ...s.env, MITTELO_TEST_NEEDED: "1" }, probeTimeoutMs: PROBE });
  t.match(notExec.findings[0]?.hint, /chmod \+x/);
  chmodSync(join(dir, "run"), 0o755);
  t.equal((await preflight(backend, { env: { ...s.env, MITTELO_TEST_NEEDED: "1" }, probeTimeoutMs: PROBE })).status, "ok");
});

t.test("probes never write to the HOME they were given: it stays empty", async (t) => {
  const s = sandbox(t, ["real/codex", "real/claude", "real/gemini", "real/copilot"]);
  for (const name of ["codex", "claude_code", "gemini", "copilot"]) {
    await preflight(await shipped(name), { env: s.env, probeTimeoutMs: PROBE });
  }
  t.same(readdirSync(s.home), [], "the real HOME is untouched (the fixtures write to $HOME on every run)");
  const sub = join(s.home, "..", "sub");
  mkdirSync(sub);
  await preflight(await shipped("codex"), { env: { ...s.env, MITTELO_SUBPROCESS_HOME: sub }, probeTimeoutMs: PROBE });
  t.ok(readdirSync(sub).includes(".codex"), "with MITTELO_SUBPROCESS_HOME the probes run in that HOME");
  t.same(readdirSync(s.home), []);
});

t.test("echo (built in, no requirements) is ok", async (t) => {
  const s = sandbox(t);
  const result = await preflight(await shipped("echo"), { env: s.env, probeTimeoutMs: PROBE });
  t.equal(result.status, "ok");
  t.same(result.findings, []);
});
