// No secret leaves: backends that leak their secrets in every form and spread their credential files, run by the
// real CLI; every artifact, report and TAP line is then searched for every form of every secret.
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import t from "tap";
import { validatorFor } from "../../src/util/ajv.ts";
import { BIN, cliEnv, ROOT } from "../helpers/cli.ts";
import { parseTap } from "../helpers/tap-parse.ts";

const MANIFEST = `${ROOT}/test/fixtures/secrets/matrix.yaml`;
/** A secret with everything that broke text-level redaction: a quote, a backslash, a newline, a tab, URL specials. */
const SECRET = 'sk-"quo\\te\nnew\tline/+=?&-9f8e7d6c5b4a';
const HUB_TOKEN = "hub-token-0123456789abcdef";
const OTHER_KEY = "sk-other-vendor-key-0123456789";
const DB_PASSWORD = "pg-pass-word-0123456789";
const AUTH_FILE = JSON.stringify({ refresh_token: "rt-abcdef0123456789-fixture", account: "acct-42" });

function allEntries(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    const stat = lstatSync(path);
    return stat.isDirectory() ? [path, ...allEntries(path)] : [path];
  });
}

/** The base64 text of `secret` inside a longer base64 text: its middle, at each of the 3 alignments, both alphabets. */
function base64Inside(secret: string): string[] {
  return [0, 1, 2].flatMap((k) => {
    const core = Buffer.concat([Buffer.alloc(k), Buffer.from(secret)])
      .toString("base64")
      .slice(4, -4);
    return [core, core.replace(/\+/g, "-").replace(/\//g, "_")];
  });
}

/** Every form a secret can take in a report: raw, JSON-escaped, URL-encoded, base64. */
function formsOf(secret: string): string[] {
  return [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), ...base64Inside(secret)];
}

interface Run {
  out: string;
  stdout: string;
  stderr: string;
  code: number | undefined;
}

/** One matrix run of the leaking fixtures, shared by the tests below: umask 000, a HOME with a credential file. */
async function leakyRun(dir: string): Promise<Run> {
  const out = join(dir, "out");
  const home = join(dir, "home");
  mkdirSync(join(home, ".fake"), { recursive: true });
  writeFileSync(join(home, ".fake", "auth.json"), AUTH_FILE);
  const env = {
    ...cliEnv(),
    HOME: home,
    FIXTURE_QUOTE_KEY: SECRET,
    MITTELO_TOKEN: HUB_TOKEN,
    OTHER_VENDOR_API_KEY: OTHER_KEY,
    DB_URL: `postgres://mittelo:${DB_PASSWORD}@db.invalid/mittelo`,
    // Secret-looking names with values that are not secrets: they must never corrupt a report.
    BOOL_TOKEN: "false",
    NULL_SECRET: "null",
    NUM_KEY: "3600",
    SMOKE_KEY: "smoke",
    FAIL_TOKEN: "FAIL",
    'QUOTE"NAME_TOKEN': "name-with-a-quote-secret-42",
  };
  // umask 000: the report folder and its files must still not be writable by others.
  const result = await execa("sh", ["-c", 'umask 000; exec node "$0" "$@"', BIN, "matrix", "--manifest", MANIFEST, "--out-dir", out], {
    env,
    extendEnv: false,
    reject: false,
    timeout: 120_000,
  });
  return { out, stdout: String(result.stdout), stderr: String(result.stderr), code: result.exitCode };
}

let run: Run;
t.before(async () => {
  run = await leakyRun(t.testdir());
});

t.test("redaction works on values: no form of a secret anywhere, no report corrupted, the run completes", async (t) => {
  const { out } = run;
  t.equal(run.code, 0, `the run completes with the expected outcomes: ${run.stderr}`);
  const tap = await parseTap(run.stdout);
  t.same(tap.parseErrors, [], "TAP parses");
  t.match(run.stdout, /^\s+ok \d+ - smoke$/m, "the case name 'smoke' is intact");
  const secrets = [...formsOf(SECRET), ...formsOf("name-with-a-quote-secret-42"), HUB_TOKEN, OTHER_KEY, DB_PASSWORD];
  for (const path of allEntries(out)) {
    if (!lstatSync(path).isFile()) continue;
    const text = readFileSync(path, "utf8");
    for (const s of secrets) t.notOk(text.includes(s), `${path} holds no ${JSON.stringify(s.slice(0, 12))}…`);
    const report = !path.includes(`${join("/", "work")}/`); // a work dir holds what the CLI wrote, not a report
    if (report && path.endsWith(".json")) t.doesNotThrow(() => JSON.parse(text), `${path} is valid JSON`);
    if (path.endsWith(".ndjson")) for (const line of text.trim().split("\n")) JSON.parse(line);
  }
  for (const s of secrets) t.notOk(run.stdout.includes(s) || run.stderr.includes(s), "no secret on stdout or stderr");
  const report = JSON.parse(readFileSync(join(out, "matrix.json"), "utf8")) as { backends: Array<{ name: string; outcome: string }> };
  const validate = validatorFor("report.schema.json");
  t.ok(validate(report), JSON.stringify(validate.errors));
  t.same(
    report.backends.map((b) => [b.name, b.outcome]),
    [
      ["creds", "PASS"],
      ["leaky", "FAIL"],
    ],
  );
  // Values too short or too plain to be secrets are left alone: numbers and words stay as they were.
  const stdout = readFileSync(join(out, "leaky", "smoke", "stdout.txt"), "utf8");
  t.match(stdout, "took 13600 ms; smoke FAIL null false 3600");
  t.match(stdout, "raw [REDACTED:FIXTURE_QUOTE_KEY]");
  t.match(stdout, "basic Authorization: Basic ");
});

t.test("least privilege: a backend sees the secrets it declares and no other, never MITTELO_TOKEN", async (t) => {
  const stdout = readFileSync(join(run.out, "leaky", "smoke", "stdout.txt"), "utf8");
  const names = (/^ENV (.*)$/m.exec(stdout)?.[1] ?? "").split(",");
  t.ok(names.includes("FIXTURE_QUOTE_KEY") && names.includes("BOOL_TOKEN") && names.includes("FAIL_TOKEN"), "declared secrets are passed");
  for (const name of ["MITTELO_TOKEN", "OTHER_VENDOR_API_KEY", "DB_URL", "NUM_KEY", 'QUOTE"NAME_TOKEN']) t.notOk(names.includes(name), `${name} is withheld`);
  t.ok(names.includes("PATH"), "the rest of the environment is passed");
});

t.test("credential files live in a private HOME outside the report, removed after the run; copies and links are scrubbed", async (t) => {
  const { out } = run;
  const files = allEntries(out);
  t.notOk(
    files.some((f) => f.endsWith("auth.json")),
    "no credential file in the report",
  );
  for (const path of files) {
    t.notOk(lstatSync(path).isSymbolicLink(), `no symlink in the report: ${path}`);
    if (!lstatSync(path).isFile()) continue;
    const text = readFileSync(path, "utf8");
    t.notOk(text.includes(AUTH_FILE) || text.includes("rt-abcdef0123456789-fixture"), `${path} holds no credential`);
  }
  const creds = readFileSync(join(out, "creds", "smoke", "stdout.txt"), "utf8");
  const sandboxHome = /^HOME=(.*)$/m.exec(creds)?.[1] ?? "";
  t.notOk(sandboxHome.startsWith(out), `the sandbox HOME (${sandboxHome}) is not in the report folder`);
  t.notOk(existsSync(sandboxHome), "the sandbox HOME is removed after the run");
  const work = join(out, "creds", "work");
  t.match(readFileSync(join(work, "copied.json"), "utf8"), "[REDACTED:", "a copy of the credential file in the work dir is redacted");
  t.match(readFileSync(join(work, "sub", "again.json"), "utf8"), "[REDACTED:");
  t.notOk(existsSync(join(work, "link.json")), "a symlink to the credential file is removed");
  t.match(readFileSync(join(work, "link.json.removed-by-mittelo.txt"), "utf8"), "outside the work dir");
  t.match(readFileSync(join(out, "creds", "smoke", "stderr.txt"), "utf8"), "[REDACTED:creds.auth_files]", "the printed credential is redacted");
});

t.test("report folders and their files are not writable by others, even under umask 000", async (t) => {
  t.equal(statSync(run.out).mode & 0o022, 0, "the report folder");
  for (const path of allEntries(run.out)) {
    const stat = lstatSync(path);
    if (!stat.isSymbolicLink()) t.equal(stat.mode & 0o022, 0, path);
  }
});
