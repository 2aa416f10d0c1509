// The stub's request log goes through the same value redactor as every report: a secret in a header or a path the
// header and query rules do not know (a custom header, a path segment) is redacted too.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import { makeRedactor } from "../../src/util/redact.ts";
import { post, requestFor, stubFor } from "../fixtures/stub/helpers.ts";

t.test("the request log redacts the caller's secret values wherever they appear", async (t) => {
  const secret = "sk-stub-fixture-0123456789";
  const log = join(t.testdir(), "stub.jsonl");
  const stub = await stubFor(t, { log, redact: makeRedactor({ VENDOR_API_KEY: secret }) });
  const a = requestFor("anthropic", "hi", false);
  await (await post(`${stub.url}${a.path}&org=${secret}`, a.body, { headers: { "x-organization": secret, "user-agent": `cli/${secret}` } })).text();
  const text = readFileSync(log, "utf8");
  t.notMatch(text, secret);
  t.match(text, "[REDACTED:VENDOR_API_KEY]");
  t.notMatch(JSON.stringify(stub.requests()), secret, "nor in the records kept in memory");
});
