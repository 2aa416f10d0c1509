// The stub's memory stays flat however many requests it serves: a window of the latest records, capped headers, a
// bounded endpoint tally, totals over everything; the upstream verdict still works (and says so) with the window.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import type { RunRecord } from "../../src/backends/run-record.ts";
import { upstreamSummary, upstreamVerdict } from "../../src/backends/upstream.ts";
import { DEFAULT_LOG_WINDOW, MAX_HEADER_CHARS, MAX_HEADERS, OTHER_ENDPOINTS, RequestLog, redactHeaders } from "../../src/stub/log.ts";
import type { RequestRecord } from "../../src/stub/types.ts";
import { post, requestFor, stubFor } from "../fixtures/stub/helpers.ts";

function record(i: number, status: number | null = 200, path = "/v1/messages"): RequestRecord {
  return { method: "POST", path, status, bytes: 10, mode: "ok", note: `r${i}` } as unknown as RequestRecord;
}

t.test("RequestLog keeps a window of the latest records and totals over all of them", async (t) => {
  const log = new RequestLog(undefined, { window: 10 });
  for (let i = 0; i < 25; i++) log.add(record(i));
  t.equal(log.count(), 25);
  t.same(
    log.all().map((r) => r.note),
    Array.from({ length: 10 }, (_, i) => `r${15 + i}`),
    "the latest 10, oldest first",
  );
  t.same(log.summary(), { requests: 25, bytes: 250, endpoints: { "POST /v1/messages → 200": 25 } });
  const since = log.since(12);
  t.same(
    since.records.map((r) => r.note),
    Array.from({ length: 10 }, (_, i) => `r${15 + i}`),
  );
  t.equal(since.omitted, 3, "13 since the mark, 3 of them no longer kept");
  t.same(
    log.since(22).records.map((r) => r.note),
    ["r22", "r23", "r24"],
  );
  t.same(log.since(25), { records: [], omitted: 0 });
});

t.test("the endpoint tally has a bounded number of keys", async (t) => {
  const log = new RequestLog(undefined, { window: 5 });
  for (let i = 0; i < 500; i++) log.add(record(i, 404, `/unknown/${i}?q=1`));
  const { endpoints, requests } = log.summary();
  t.equal(requests, 500);
  t.ok(Object.keys(endpoints).length <= 101, `${Object.keys(endpoints).length} keys`);
  t.equal(endpoints[OTHER_ENDPOINTS], 400);
});

t.test("headers kept per record are capped in number and length; secrets still redacted", async (t) => {
  const headers: Record<string, string> = { authorization: "Bearer SECRET", "x-long": "v".repeat(10_000) };
  for (let i = 0; i < 200; i++) headers[`x-h${i}`] = String(i);
  const kept = redactHeaders(headers);
  t.equal(kept.authorization, "[redacted]");
  t.equal(kept["x-long"], `${"v".repeat(MAX_HEADER_CHARS)}… [10000 characters]`);
  t.equal(Object.keys(kept).length, MAX_HEADERS + 1);
  t.equal(kept["(more headers)"], `${202 - MAX_HEADERS} not kept`);
});

t.test("a stub serving many requests keeps only its window in memory; the log file gets every one", async (t) => {
  const log = join(t.testdir(), "stub.jsonl");
  const stub = await stubFor(t, { log, logWindow: 20 });
  const { path, body } = requestFor("anthropic", "hi", false);
  for (let i = 0; i < 60; i++) await (await post(stub.url + path, body)).text();
  t.equal(stub.requests().length, 20, "the window");
  t.equal(stub.requestCount(), 60);
  t.match(stub.summary(), { requests: 60, endpoints: { "POST /v1/messages → 200": 60 } });
  t.equal(readFileSync(log, "utf8").trimEnd().split("\n").length, 60, "the file has all of them");
  const since = stub.requestsSince(10);
  t.equal(since.records.length, 20);
  t.equal(since.omitted, 30);
});

t.test("the upstream verdict over a window names the requests it no longer has", async (t) => {
  const rec = { timedOut: true, durationMs: 1000, exitCode: null } as unknown as RunRecord;
  const calls = Array.from({ length: 3 }, () => ({ status: 429, mode: "429" }));
  const whole = upstreamVerdict({ calls, omitted: 0 }, rec, 1000);
  t.match(whole, { outcome: "SKIP", rule: "upstream.quota", message: /to all 3 model calls/, evidence: "model server log: 3 × HTTP 429" });
  const windowed = upstreamVerdict({ calls, omitted: 997 }, rec, 1000);
  t.match(windowed, {
    outcome: "SKIP",
    rule: "upstream.quota",
    message: /to each of the latest 3 model calls it keeps \(997 earlier requests are no longer kept\)/,
    evidence: "model server log: 3 × HTTP 429 (997 earlier requests no longer kept)",
  });
  t.equal(upstreamSummary({ calls, omitted: 5 }), "model server log: 3 model calls, 3 answered (and 5 earlier requests no longer kept)");
});

t.test("by default the stub keeps the latest 1000 requests in memory (before: every one, 81 → 248 MB after 10,000)", async (t) => {
  const stub = await stubFor(t);
  const { path, body } = requestFor("openai-chat", "hi", false);
  for (let i = 0; i < DEFAULT_LOG_WINDOW + 100; i++) await (await post(stub.url + path, body)).text();
  t.equal(stub.requests().length, DEFAULT_LOG_WINDOW);
});
