// The redactor's rule, case by case: values (not serialised text) are redacted; values too short or too plain to be
// secrets never corrupt a report; encoded forms of long enough secrets are caught.
import t from "tap";
import { clipText, isSecretVar, makeRedactor, redactDeep, secretsInFile, urlPassword } from "../../src/util/redact.ts";

const SECRET = 'sk-"quo\\te\nnew\tline-9f8e7d6c5b4a';

t.test("a secret with a quote, a backslash, a newline or a tab is redacted in the data, so no escaped form is ever written", async (t) => {
  const redact = makeRedactor({ FIXTURE_API_KEY: SECRET });
  const event = { evidence: `leaked ${SECRET} here`, nested: [{ answer: SECRET }], n: 1, ok: true };
  const json = JSON.stringify(redactDeep(event, redact));
  t.notOk(json.includes(JSON.stringify(SECRET).slice(1, -1)), "no JSON-escaped form");
  t.same(JSON.parse(json), { evidence: "leaked [REDACTED:FIXTURE_API_KEY] here", nested: [{ answer: "[REDACTED:FIXTURE_API_KEY]" }], n: 1, ok: true });
  // A CLI's own JSON output carries the escaped form: the text redactor knows it too.
  t.equal(redact(`{"key":${JSON.stringify(SECRET)}}`), '{"key":"[REDACTED:FIXTURE_API_KEY]"}');
  // Each line of a multi-line secret (a PEM key) is a secret of its own.
  t.equal(redact("new\tline-9f8e7d6c5b4a"), "[REDACTED:FIXTURE_API_KEY]");
});

t.test("values that are not secrets never corrupt a report: booleans, null, numbers, short values, common words", async (t) => {
  const redact = makeRedactor({ BOOL_TOKEN: "false", NULL_SECRET: "null", NUM_KEY: "3600", SMOKE_KEY: "smoke", FAIL_TOKEN: "FAIL", WORD_KEY: "disabled" });
  const data = { timedOut: false, signal: null, exitCode: 1, text: "13600 ms: smoke FAIL null false 3600 disabled", case: "smoke" };
  t.same(redactDeep(data, redact), data, "unchanged");
  t.equal(JSON.stringify(redactDeep(data, redact)), JSON.stringify(data), "the JSON is the same");
});

t.test("a secret-looking name with a quote cannot break a report: the marker keeps only safe characters", async (t) => {
  const redact = makeRedactor({ 'QUOTE"NAME_TOKEN': "name-with-a-quote-secret-42" });
  const text = redact("got name-with-a-quote-secret-42");
  t.equal(text, "got [REDACTED:QUOTE_NAME_TOKEN]");
  t.doesNotThrow(() => JSON.parse(JSON.stringify({ text })));
});

t.test("plain values (only digits or only letters) are secrets from 16 characters, and only as whole words", async (t) => {
  const redact = makeRedactor({ PIN_KEY: "1234567890123456", PASSPHRASE: "correcthorsebatterystaple", SHORT_KEY: "12345678" });
  t.equal(redact("pin 1234567890123456."), "pin [REDACTED:PIN_KEY].");
  t.equal(redact("id 912345678901234567"), "id 912345678901234567", "not inside a longer number");
  t.equal(redact("x correcthorsebatterystaple"), "x [REDACTED:PASSPHRASE]");
  t.equal(redact("correcthorsebatterystaples"), "correcthorsebatterystaples", "not inside a longer word");
  t.equal(redact("12345678"), "12345678", "a short plain value is not a secret");
});

t.test("base64 (at any alignment, both alphabets) and URL-encoded forms are caught", async (t) => {
  const secret = "sk-live/0123+abcdef=xyz?&";
  const redact = makeRedactor({ VENDOR_API_KEY: secret });
  for (const prefix of ["", "u", "us", "user:"]) {
    const b64 = Buffer.from(`${prefix}${secret}`).toString("base64");
    const b64url = Buffer.from(`${prefix}${secret}`).toString("base64url");
    t.match(redact(`Basic ${b64}`), "[REDACTED:VENDOR_API_KEY]", `base64 with ${prefix.length} bytes before it`);
    t.match(redact(b64url), "[REDACTED:VENDOR_API_KEY]", `base64url with ${prefix.length} bytes before it`);
  }
  const url = encodeURIComponent(secret);
  t.equal(redact(`?key=${url}`), "?key=[REDACTED:VENDOR_API_KEY]");
  t.equal(redact(`?key=${url.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())}`), "?key=[REDACTED:VENDOR_API_KEY]", "lower-case percent escapes");
});

t.test("URLs with a password, values added later, credential files", async (t) => {
  t.equal(urlPassword("postgres://user:s3cr%40t-pass@host/db"), "s3cr@t-pass");
  t.equal(urlPassword("https://example.com/a:b@c"), undefined);
  t.ok(isSecretVar("DATABASE_URL", "postgres://u:pw-0123456789@h/db"));
  t.notOk(isSecretVar("PATH", "/usr/bin"));
  const redact = makeRedactor({ DATABASE_URL: "postgres://mittelo:pw-0123456789@db/x" });
  t.equal(redact("connect pw-0123456789"), "connect [REDACTED:DATABASE_URL]");
  t.notOk(redact.finds("nothing here"));
  redact.add("hub token", "tok-abcdef012345");
  t.ok(redact.finds("a tok-abcdef012345"));
  t.equal(redact("a tok-abcdef012345"), "a [REDACTED:hub_token]");
  const file = '{"refresh_token":"rt-1","model":"claude-sonnet-4.5","nested":{"id":"a1b2c3d4e5f6g7h8i9j0k1"}}';
  t.same(secretsInFile(file), [file, "rt-1", "a1b2c3d4e5f6g7h8i9j0k1"], "secret fields and token-like values, not settings");
  t.same(secretsInFile("api_key = sk-123\nmodel=gpt-5\nZ1x2c3v4b5n6m7a8s9d0f1g2"), [
    "api_key = sk-123\nmodel=gpt-5\nZ1x2c3v4b5n6m7a8s9d0f1g2",
    "sk-123",
    "Z1x2c3v4b5n6m7a8s9d0f1g2",
  ]);
});

t.test("bounding comes after redaction, so a cut never splits a secret", async (t) => {
  const secret = "sk-0123456789abcdef";
  const redact = makeRedactor({ VENDOR_API_KEY: secret });
  const clipped = redactDeep({ s: `${"x".repeat(10)}${secret}${"y".repeat(100)}` }, redact, 20);
  t.notMatch(clipped.s, "sk-0123");
  t.match(clipped.s, "more characters");
  t.equal(clipText("short", 10), "short");
});
