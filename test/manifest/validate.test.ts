import t from "tap";
import { readManifest } from "../../src/manifest/read.ts";
import { ROOT, runCli, spawnCli } from "../helpers/cli.ts";

const fixture = (name: string) => `${ROOT}/test/fixtures/manifests/${name}.yaml`;

t.test("the shipped matrix.yaml validates", async (t) => {
  const result = await runCli(["validate", "--manifest", `${ROOT}/matrix.yaml`]);
  t.equal(result.code, 0, result.stderr);
  t.match(result.stdout, /ok \(\d+ backends/);
});

t.test("a minimal valid manifest validates", async (t) => {
  const result = await runCli(["validate", "--manifest", fixture("valid-minimal")]);
  t.equal(result.code, 0, result.stderr);
});

// [fixture, line:col, path, code] — the first diagnostic of each broken manifest.
const broken: Array<[string, string, string, string]> = [
  ["unknown-key", "6:7", "backends.echo.requires.binarys", "unknown-key"],
  ["wrong-type", "3:16", "defaults.concurrency", "wrong-type"],
  ["bad-duration", "3:12", "defaults.timeout", "bad-value"],
  ["missing-wrapper", "5:16", "backends.ghost.invoke.wrapper", "missing-wrapper"],
  ["alias-cycle", "4:15", "backends.a.alias_of", "alias-cycle"],
  ["yaml-syntax", "5:1", "", "yaml-bad-indent"],
  ["tab-indent", "4:1", "", "yaml-tab-as-indent"],
  ["duplicate-key", "5:3", "", "yaml-duplicate-key"],
  ["empty", "1:1", "", "empty-manifest"],
  ["non-mapping-root", "1:1", "", "root-not-mapping"],
  ["bad-version", "1:10", "version", "bad-value"],
  ["missing-backends", "1:1", "", "missing-key"],
  ["bad-enum", "6:16", "backends.echo.expect.default", "bad-value"],
  ["bad-semver", "7:13", "backends.echo.version.lock", "bad-semver"],
  ["unknown-profile", "7:15", "backends.echo.expect.cj", "unknown-profile"],
  ["bad-regex", "6:18", "backends.echo.failures[0].pattern", "bad-regex"],
  ["bad-backend-name", "3:3", "backends", "bad-name"],
  ["unknown-alias", "4:15", "backends.glm.alias_of", "unknown-backend"],
  ["invoke-conflict", "5:7", "backends.echo.invoke", "invoke-conflict"],
  ["bad-failure-reason", "7:17", "backends.echo.failures[0].reason", "bad-value"],
  ["duplicate-case", "10:15", "backends.echo.cases[0].name", "duplicate-case"],
  ["dead-alternative", "6:18", "backends.gemini.requires.binaries[0]", "dead-alternative"],
];

for (const [name, position, path, code] of broken) {
  t.test(`broken manifest: ${name}`, async (t) => {
    const file = fixture(name);
    const result = await runCli(["validate", "--manifest", file]);
    t.equal(result.code, 2, "exit code 2");
    t.match(result.stderr, `test/fixtures/manifests/${name}.yaml:${position}: error[${code}]`);
    if (path) t.match(result.stderr, ` ${path}: `);
    t.match(result.stderr, /\n {2}hint: \S/, "has a fix hint");
    t.notMatch(result.stderr, /\n\s+at \S+ \(/, "no stack trace");
    const json = await runCli(["validate", "--manifest", file, "--json"]);
    const parsed = JSON.parse(json.stdout) as { ok: boolean; errors: Array<{ line: number; col: number; path: string; code: string }> };
    t.equal(parsed.ok, false);
    const [line, col] = position.split(":").map(Number);
    t.match(parsed.errors[0], { line, col, path, code });
  });
}

t.test("several errors are reported at once", async (t) => {
  const result = await readManifest(fixture("multiple-errors"));
  t.equal(result.ok, false);
  if (result.ok) return;
  t.same(
    result.diagnostics.map((d) => [d.code, d.line, d.col]),
    [
      ["unknown-key", 3, 3],
      ["schema-minimum", 7, 18],
    ],
  );
  t.match(result.report, "did you mean 'timeout'?");
  t.match(result.report, "2 errors in manifest");
});

t.test("source line and caret are shown", async (t) => {
  const result = await runCli(["validate", "--manifest", fixture("unknown-key")]);
  t.match(result.stderr, "    6 |       binarys: [echo]\n      |       ^^^^^^^\n");
  t.match(result.stderr, "did you mean 'binaries'?");
});

t.test("a missing manifest is a usage error with a hint", async (t) => {
  const result = await runCli(["validate", "--manifest", `${ROOT}/does-not-exist.yaml`]);
  t.equal(result.code, 2);
  t.match(result.stderr, "error[manifest-not-found]");
  t.match(result.stderr, "MITTELO_MANIFEST");
});

t.test("MITTELO_MANIFEST selects the file, and the real CLI prints no stack trace", async (t) => {
  const result = await spawnCli(["validate"], { env: { MITTELO_MANIFEST: fixture("alias-cycle"), PATH: process.env.PATH } });
  t.equal(result.code, 2);
  t.match(result.stderr, "alias-cycle.yaml:4:15: error[alias-cycle]");
  t.notMatch(result.stderr, /\n\s+at /);
});

t.test("usage errors exit 2", async (t) => {
  t.equal((await runCli(["no-such-command"])).code, 2);
  t.equal((await runCli(["validate", "--no-such-flag"])).code, 2);
  const help = await runCli(["--help"]);
  t.equal(help.code, 0);
  t.match(help.stdout, "validate");
  const validateHelp = await runCli(["validate", "--help"]);
  t.match(validateHelp.stdout, "Examples:");
});
