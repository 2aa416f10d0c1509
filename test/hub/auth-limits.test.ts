// Auth (token), the line-length limit, many connections, and the non-loopback bind refusal.
import t from "tap";
import { HubClient, HubRequestError } from "../../src/hub/client.ts";
import { checkBind } from "../../src/hub/config.ts";
import { RawConnection, startTestHub } from "../fixtures/hub/helpers.ts";

t.test("with a token, the first request must be auth; anything else gets an error and is closed", async (t) => {
  const hub = await startTestHub(t, { token: "s3cret" });
  const noAuth = await RawConnection.open(t, hub.tcp.port);
  const r = await noAuth.request("stats", {}, 5);
  t.equal(r.id, 5);
  t.match(r.error?.message, /authentication required/);
  await noAuth.waitClosed();

  const wrong = await RawConnection.open(t, hub.tcp.port);
  t.match((await wrong.request("auth", { token: "nope" })).error?.message, /^auth: wrong token$/);
  await wrong.waitClosed();

  const garbage = await RawConnection.open(t, hub.tcp.port);
  garbage.send("not json\n");
  await garbage.lines(1);
  await garbage.waitClosed();

  const ok = await RawConnection.open(t, hub.tcp.port);
  t.same((await ok.request("auth", { token: "s3cret" })).result, { ok: true });
  t.same((await ok.request("enqueue", { prompt: "x" })).result, { task_id: 1 });
  t.match((await ok.request("nope")).error?.message, /unknown method/, "after auth, errors keep the connection open");
  t.same((await ok.request("stats")).error, null);

  const client = await HubClient.connect({ host: "127.0.0.1", port: hub.tcp.port, token: "s3cret" });
  t.same(await client.call("stats"), { stats: { queued: 1, leased: 0, done: 0, failed: 0 } });
  client.close();
  await t.rejects(HubClient.connect({ host: "127.0.0.1", port: hub.tcp.port, token: "bad" }), HubRequestError);
});

t.test("a line longer than --max-line-bytes gets an error reply and the connection is closed", async (t) => {
  const hub = await startTestHub(t, { maxLineBytes: 1024 });
  const c = await RawConnection.open(t, hub.tcp.port);
  c.send('{"id":1,"method":"stats"}\n');
  c.send(`{"id":2,"method":"enqueue","params":{"prompt":"${"x".repeat(4000)}`);
  const [first, second] = await c.replies(2);
  t.equal(first!.id, 1);
  t.same(second, { id: null, result: null, error: { message: "line exceeds the limit of 1024 bytes; closing the connection" } });
  await c.waitClosed();
  const ok = await RawConnection.open(t, hub.tcp.port);
  t.same((await ok.request("enqueue", { prompt: "x".repeat(900) })).error, null, "a line under the limit is fine");
  t.same((await ok.request("stats")).result, { stats: { queued: 1, leased: 0, done: 0, failed: 0 } });
});

t.test("hundreds of simultaneous connections are accepted", async (t) => {
  const hub = await startTestHub(t);
  const conns = await Promise.all(Array.from({ length: 300 }, () => RawConnection.open(t, hub.tcp.port)));
  const replies = await Promise.all(conns.map((c, i) => c.request("enqueue", { prompt: `p${i}` })));
  t.equal(new Set(replies.map((r) => r.result!.task_id)).size, 300);
});

t.test("non-loopback bind without a token is refused unless --allow-insecure-bind", async (t) => {
  const base = { host: "0.0.0.0", port: 0, db: ":memory:", leaseSeconds: 60, maxAttempts: 5, maxLineBytes: 1024 };
  t.throws(() => checkBind(base), { code: "hub-insecure-bind", message: /refusing to listen on 0.0.0.0/ });
  t.throws(() => checkBind({ ...base, host: "127.0.0.1", restPort: 0, restHost: "::" }), { message: /--rest-host/ });
  t.doesNotThrow(() => checkBind({ ...base, token: "a-token-of-24-characters" }));
  t.doesNotThrow(() => checkBind({ ...base, allowInsecureBind: true }));
  t.doesNotThrow(() => checkBind({ ...base, host: "127.0.0.2" }));
  t.doesNotThrow(() => checkBind({ ...base, host: "::1" }));
});
