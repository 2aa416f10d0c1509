// The stub as a server: request log with secrets redacted, 404 naming the route, request-size limit, concurrency, keep-alive.
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import t from "tap";
import { startStub } from "../../src/stub/index.ts";
import { answerOf, post, requestFor, stubFor } from "../fixtures/stub/helpers.ts";

t.test("one JSONL line per request, secrets redacted in headers and query", async (t) => {
  const log = join(t.testdir(), "stub.jsonl");
  const stub = await stubFor(t, { log });
  const secrets = ["sk-ant-SECRET1", "Bearer SECRET2", "AIzaSECRET3", "SECRET4", "SECRET5"];
  const a = requestFor("anthropic", "hi", false);
  await (await post(stub.url + a.path, a.body, { headers: { "x-api-key": secrets[0]!, authorization: secrets[1]! } })).text();
  const g = requestFor("gemini", "hi", false);
  await (await post(`${stub.url}${g.path}?key=${secrets[2]}`, g.body, { headers: { "x-goog-api-key": secrets[2]!, "x-my-token": secrets[3]! } })).text();
  await (await post(`${stub.url}/v1/chat/completions`, {}, { headers: { "x-custom-apikey": secrets[4]! } })).text();
  const text = readFileSync(log, "utf8");
  const lines = text
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line));
  t.equal(lines.length, 3);
  for (const secret of secrets) t.notMatch(text, secret.replace(/^Bearer /, ""), `${secret} is not in the log`);
  t.match(lines[0], {
    method: "POST",
    path: "/v1/messages?beta=true",
    dialect: "anthropic",
    model: "claude-stub",
    status: 200,
    mode: "ok",
    headers: { "x-api-key": "[redacted]", authorization: "[redacted]" },
  });
  t.ok(lines[0].bytes > 0 && typeof lines[0].time === "string" && typeof lines[0].ms === "number");
  t.match(lines[1], { path: /key=%5Bredacted%5D/, headers: { "x-goog-api-key": "[redacted]", "x-my-token": "[redacted]" } });
  t.same(stub.requests(), lines, "requests() returns what the log file holds");
});

t.test("unknown routes: 404 with a JSON body naming the route, logged", async (t) => {
  const stub = await stubFor(t);
  const res = await fetch(`${stub.url}/v2/brand-new-endpoint?x=1`, { method: "PUT", body: "{}" });
  t.equal(res.status, 404);
  const json = (await res.json()) as { error: { route: string; message: string } };
  t.equal(json.error.route, "PUT /v2/brand-new-endpoint");
  t.match(json.error.message, "no route for PUT /v2/brand-new-endpoint");
  t.match(stub.requests(), [{ method: "PUT", path: "/v2/brand-new-endpoint?x=1", status: 404, note: "unknown-route", dialect: null }]);
});

t.test("a body over the limit gets 413 and is not buffered; the server keeps serving", async (t) => {
  const stub = await stubFor(t, { maxBodyBytes: 1024 });
  const big = { model: "m", messages: [{ role: "user", content: "x".repeat(64 * 1024) }] };
  const res = await post(`${stub.url}/v1/messages`, big);
  t.equal(res.status, 413);
  t.match(await res.json(), { type: "error", error: { type: "request_too_large" } });
  const small = requestFor("anthropic", "Return exactly: still up", false);
  t.equal(answerOf("anthropic", false, await (await post(stub.url + small.path, small.body)).text()), "still up");
  t.match(stub.requests(), [{ status: 413, note: "too-large" }, { status: 200 }]);
});

t.test("a chunked body over the limit (no content-length) also gets 413", async (t) => {
  const stub = await stubFor(t, { maxBodyBytes: 1024 });
  const status = await new Promise<number>((resolve, reject) => {
    const req = httpRequest(`${stub.url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.write("x".repeat(4096));
    req.end("y".repeat(4096));
  });
  t.equal(status, 413);
});

t.test("many concurrent requests across dialects all get their own answer", async (t) => {
  const stub = await stubFor(t);
  const dialects = ["anthropic", "openai-responses", "openai-chat", "gemini"];
  const results = await Promise.all(
    Array.from({ length: 100 }, async (_, i) => {
      const dialect = dialects[i % 4]!;
      const stream = i % 3 === 0;
      const { path, body } = requestFor(dialect, `Return exactly: answer ${i}`, stream);
      return answerOf(dialect, stream, await (await post(stub.url + path, body)).text());
    }),
  );
  t.same(
    results,
    Array.from({ length: 100 }, (_, i) => `answer ${i}`),
  );
  t.equal(stub.requests().length, 100);
});

t.test("keep-alive: sequential requests reuse one socket", async (t) => {
  const stub = await stubFor(t);
  const { Agent } = await import("node:http");
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => agent.destroy());
  const ports = new Set<number>();
  for (let i = 0; i < 3; i++) {
    await new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${stub.url}/`, { method: "HEAD", agent }, (res) => {
        ports.add(req.socket?.localPort ?? -1);
        res.resume();
        res.on("end", resolve);
      });
      req.on("error", reject);
      req.end();
    });
  }
  t.equal(ports.size, 1);
});

t.test("a port in use is a user error", async (t) => {
  const stub = await stubFor(t);
  await t.rejects(startStub({ port: stub.port }), { name: "MitteloError", code: "stub-listen", message: /EADDRINUSE/ });
});

t.test("close() is idempotent", async (t) => {
  const stub = await startStub();
  await Promise.all([stub.close(), stub.close()]);
  await stub.close();
  await t.rejects(fetch(`${stub.url}/`));
});
