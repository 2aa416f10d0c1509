// The pure parts of preflight: version parsing and locks, help flags, platform, status and SKIP reasons.
import t from "tap";
import { hasFlag } from "../../src/preflight/help.ts";
import { checkPlatform } from "../../src/preflight/platform.ts";
import { reasonOf, skipReasonOf, statusOf } from "../../src/preflight/status.ts";
import type { Finding } from "../../src/preflight/types.ts";
import { inLock, parseVersion } from "../../src/preflight/version.ts";

t.test("parseVersion reads the real CLIs' version lines", async (t) => {
  t.equal(parseVersion("codex-cli 0.169.0\n", "codex-cli (\\S+)"), "0.169.0");
  t.equal(parseVersion("2.1.197 (Claude Code)\n", "^(\\S+) \\(Claude Code\\)"), "2.1.197");
  t.equal(parseVersion("GitHub Copilot CLI 1.0.102.\nRun 'copilot update' to check for updates.\n", "GitHub Copilot CLI (\\d+\\.\\d+\\.\\d+)"), "1.0.102");
  t.equal(parseVersion("0.61.0\n"), "0.61.0");
  t.equal(parseVersion("tmux 3.4\n", "tmux (\\S+)"), "3.4");
  t.equal(parseVersion("kimi, version 0.52.0\n"), "0.52.0");
  t.equal(
    parseVersion("\u001b[1m banner 1.2.3 tips\u001b[0m\n\u001b[32m0.61.0\u001b[0m\n"),
    "0.61.0",
    "a line that is only a version beats a banner's numbers",
  );
  t.equal(parseVersion("no version here"), undefined);
  t.equal(parseVersion("codex 1.0.0", "codex-cli (\\S+)"), undefined);
});

t.test("inLock: exact versions and ranges, coerced short versions", async (t) => {
  t.equal(inLock("0.169.0", "0.169.0"), true);
  t.equal(inLock("0.170.2", "0.169.0"), false);
  t.equal(inLock("2.1.200", "^2.1.0"), true);
  t.equal(inLock("3.4", ">=3.0"), true);
  t.equal(inLock("1.0.0-beta.1", ">=0.9.0"), true);
  t.equal(inLock("nonsense", "1.0.0"), undefined);
});

t.test("hasFlag matches whole options only", async (t) => {
  const help = "  -p, --print      print\n      --print-logs  logs\n  --trust-tools=<TOOLS>\n  -o, --output-format <f>";
  t.ok(hasFlag(help, "--print"));
  t.ok(hasFlag(help, "-p"));
  t.ok(hasFlag(help, "--trust-tools"));
  t.ok(hasFlag(help, "--output-format"));
  t.notOk(hasFlag(help, "--print-log"));
  t.notOk(hasFlag(help, "--output"));
  t.notOk(hasFlag(help, "-s"));
});

t.test("checkPlatform", async (t) => {
  t.same(checkPlatform({}, "linux", "x64"), []);
  t.same(checkPlatform({ platform: ["darwin"], arch: ["arm64"] }, "darwin", "arm64"), []);
  const [finding] = checkPlatform({ platform: ["darwin"], arch: ["arm64"] }, "linux", "x64");
  t.equal(finding?.code, "platform");
  t.equal(finding?.severity, "fail");
  t.match(finding?.evidence, /linux.*x64/);
  t.equal(checkPlatform({ platform: ["darwin"], arch: ["arm64"] }, "darwin", "x64")[0]?.code, "platform", "Intel Mac is not enough");
});

const f = (code: Finding["code"], severity: Finding["severity"]): Finding => ({ code, severity, message: code });

t.test("status rules and SKIP reasons", async (t) => {
  t.equal(statusOf([]), "ok");
  t.equal(statusOf([f("auth-ok", "info")]), "ok");
  t.equal(statusOf([f("version-drift", "warn")]), "warn");
  t.equal(statusOf([f("version-drift", "warn"), f("missing-flag", "fail")]), "fail");
  const result = (findings: Finding[]) => ({ status: statusOf(findings), findings });
  t.equal(skipReasonOf(result([f("auth-missing", "warn"), f("platform", "fail"), f("missing-binary", "fail")])), "platform", "the first fail finding decides");
  t.equal(skipReasonOf(result([f("missing-binary", "fail")])), "missing-binary");
  t.equal(skipReasonOf(result([f("auth-missing", "fail")])), "auth");
  t.equal(skipReasonOf(result([f("network", "fail")])), "network");
  t.equal(skipReasonOf(result([f("config", "fail")])), "config");
  t.equal(skipReasonOf(result([f("env-missing", "fail")])), "config");
  t.equal(skipReasonOf(result([f("missing-flag", "fail")])), "missing-flag");
  t.equal(skipReasonOf(result([f("version-drift", "warn")])), "version-drift", "a warn result SKIPs with its first warning");
  t.equal(reasonOf("probe-timeout"), "probe-timeout");
});
