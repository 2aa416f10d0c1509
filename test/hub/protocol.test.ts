// Wire compatibility: every method, every error path, id echo, pipelining, ordering, field order, line handling.
import { RawConnection, startTestHub, storeTest } from "../fixtures/hub/helpers.ts";

const TASK_KEYS = ["task_id", "prompt", "status", "created_at", "updated_at", "leased_until", "worker_id", "result", "error"];

storeTest("every method answers with the documented shape", async (t) => {
  const hub = await startTestHub(t);
  const c = await RawConnection.open(t, hub.tcp.port);
  t.same(await c.request("enqueue", { prompt: "a" }), { id: 1, result: { task_id: 1 }, error: null });
  t.same((await c.request("enqueue", { prompt: "b" })).result, { task_id: 2 });
  const leased = await c.request("lease", { worker_id: "w", max_tasks: 5 });
  const tasks = leased.result!.tasks as Record<string, unknown>[];
  t.same(
    tasks.map((x) => x.task_id),
    [1, 2],
    "ascending task_id",
  );
  t.same(Object.keys(tasks[0]!).slice(0, 9), TASK_KEYS, "reference fields first, in order");
  t.equal(tasks[0]!.status, "leased");
  t.equal(tasks[0]!.worker_id, "w");
  t.equal(typeof tasks[0]!.leased_until, "number");
  t.same(await c.request("ack", { task_id: 1, status: "Done", result: "A" }), { id: 1, result: { ok: true }, error: null });
  t.same((await c.request("ack", { task_id: 2, status: "FAILED", error: "boom" })).result, { ok: true });
  const list = await c.request("list", {});
  t.same(list.result!.stats, { queued: 0, leased: 0, done: 1, failed: 1 });
  t.same(
    (list.result!.tasks as { task_id: number }[]).map((x) => x.task_id),
    [2, 1],
    "newest first",
  );
  const done = (list.result!.tasks as Record<string, unknown>[])[1]!;
  t.equal(done.result, "A");
  t.equal(done.leased_until, null);
  t.same(await c.request("stats"), { id: 1, result: { stats: { queued: 0, leased: 0, done: 1, failed: 1 } }, error: null });
  t.same((await c.request("retry_failed")).result, { retried: 1 });
  const retried = (await c.request("get", { task_id: 2 })).result!.task as Record<string, unknown>;
  t.match(retried, { status: "queued", worker_id: null, leased_until: null, result: null, error: null, attempts: 0 });
  const hello = (await c.request("hello")).result!;
  t.match(hello, { server: "mittelo", protocol: 1 });
  t.ok((hello.features as string[]).includes("fencing"));
  t.same((await c.request("shutdown")).result, { ok: true });
  await hub.closed;
  await c.waitClosed();
});

storeTest("missing or null params mean {}; list limit default 50, <= 0 = all, status filter", async (t) => {
  const hub = await startTestHub(t);
  const c = await RawConnection.open(t, hub.tcp.port);
  c.send(`${Array.from({ length: 60 }, (_, i) => JSON.stringify({ id: i, method: "enqueue", params: { prompt: `p${i}` } })).join("\n")}\n`);
  await c.replies(60);
  c.send('{"id":1,"method":"list"}\n{"id":2,"method":"list","params":null}\n{"id":3,"method":"list","params":{"limit":0}}\n');
  c.send('{"id":4,"method":"list","params":{"limit":-1}}\n{"id":5,"method":"list","params":{"limit":3,"status":"queued"}}\n');
  c.send('{"id":6,"method":"list","params":{"status":"done"}}\n');
  const r = await c.replies(6);
  t.equal((r[0]!.result!.tasks as unknown[]).length, 50);
  t.equal((r[1]!.result!.tasks as unknown[]).length, 50);
  t.equal((r[2]!.result!.tasks as unknown[]).length, 60);
  t.equal((r[3]!.result!.tasks as unknown[]).length, 60);
  t.same(
    (r[4]!.result!.tasks as { task_id: number }[]).map((x) => x.task_id),
    [60, 59, 58],
  );
  t.same(r[5]!.result!.tasks, []);
});

storeTest("ids are echoed exactly as sent, any JSON type; null when missing or unparseable", async (t) => {
  const hub = await startTestHub(t);
  const c = await RawConnection.open(t, hub.tcp.port);
  const ids = ['"abc"', "1.0", "2.50", "-0", "12345678901234567890", '{"a": [1, "}"], "b": null}', "[1,2]", "null", "true", '"\\u00e9\\""'];
  c.send(ids.map((id) => `{"id": ${id}, "method": "stats"}\n`).join(""));
  const lines = await c.lines(ids.length);
  for (const [i, line] of lines.entries()) t.ok(line.startsWith(`{"id":${ids[i]},"result":{"stats":`), `id ${ids[i]} echoed: ${line}`);
  c.send('{"method":"stats"}\n{"id":1,"method":"stats","id":"last"}\nnot json\n');
  const more = await c.lines(3);
  t.ok(more[0]!.startsWith('{"id":null,"result":{'));
  t.ok(more[1]!.startsWith('{"id":"last","result":{'), "duplicate keys: the last wins, like JSON.parse");
  t.match(more[2]!, /^\{"id":null,"result":null,"error":\{"message":"malformed JSON/);
});

storeTest("reply shape is exact and errors keep the connection open", async (t) => {
  const hub = await startTestHub(t);
  const c = await RawConnection.open(t, hub.tcp.port);
  const bad: [string, RegExp][] = [
    ["[1,2]", /must be a JSON object/],
    ['"str"', /must be a JSON object/],
    ['{"id":1}', /missing or non-string "method"/],
    ['{"id":1,"method":"nope"}', /unknown method "nope"/],
    ['{"id":1,"method":"stats","params":[1]}', /params must be an object/],
    ['{"id":1,"method":"enqueue","params":{}}', /^enqueue: missing required param "prompt"$/],
    ['{"id":1,"method":"enqueue","params":{"prompt":5}}', /^enqueue: prompt must be a string$/],
    ['{"id":1,"method":"lease","params":{"max_tasks":0}}', /^lease: max_tasks must be an integer >= 1/],
    ['{"id":1,"method":"lease","params":{"max_tasks":1.5}}', /^lease: max_tasks must be an integer >= 1/],
    ['{"id":1,"method":"lease","params":{"lease_seconds":-1}}', /^lease: lease_seconds must be a number of seconds > 0/],
    ['{"id":1,"method":"lease","params":{"backends":[1]}}', /^lease: backends must be an array of backend names/],
    ['{"id":1,"method":"ack","params":{"task_id":1}}', /^ack: missing required param "status"/],
    ['{"id":1,"method":"ack","params":{"task_id":1,"status":"ok"}}', /^ack: status must be "done" or "failed"/],
    ['{"id":1,"method":"ack","params":{"task_id":99,"status":"done","worker_id":"w"}}', /^ack: task 99 does not exist$/],
    ['{"id":1,"method":"list","params":{"status":"weird"}}', /^list: status must be one of/],
    ['{"id":1,"method":"list","params":{"limit":"5"}}', /^list: limit must be an integer/],
    ['{"id":1,"method":"get","params":{"task_id":99}}', /^get: task 99 does not exist$/],
  ];
  c.send(bad.map(([line]) => `${line}\n`).join(""));
  const lines = await c.lines(bad.length);
  lines.forEach((line, i) => {
    const reply = JSON.parse(line) as { result: unknown; error: { message: string } };
    t.same(Object.keys(reply), ["id", "result", "error"]);
    t.equal(reply.result, null);
    t.match(reply.error.message, bad[i]![1], bad[i]![0]);
  });
  t.same((await c.request("stats")).error, null, "still open");
});

storeTest("pipelining: many requests in one write are answered in order", async (t) => {
  const hub = await startTestHub(t);
  const c = await RawConnection.open(t, hub.tcp.port);
  const n = 2000;
  let text = "";
  for (let i = 0; i < n; i++) text += `${JSON.stringify({ id: i, method: i % 2 ? "stats" : "enqueue", params: { prompt: `p${i}` } })}\n`;
  c.send(text);
  const replies = await c.replies(n);
  t.same(
    replies.map((r) => r.id),
    Array.from({ length: n }, (_, i) => i),
  );
  t.ok(replies.every((r) => r.error === null));
});

storeTest("CRLF, blank lines, surrounding whitespace, and a final line without newline at EOF", async (t) => {
  const hub = await startTestHub(t);
  const c = await RawConnection.open(t, hub.tcp.port);
  c.send('\r\n  {"id":1,"method":"enqueue","params":{"prompt":"x"}}  \r\n\n\n\t\n{"id":2,"method":"stats"}\r\n{"id":3,"method":"stats"}');
  c.socket.end();
  const r = await c.replies(3);
  t.same(
    r.map((x) => x.id),
    [1, 2, 3],
  );
  await c.waitClosed();
});

storeTest("a UTF-8 character split across writes is decoded intact", async (t) => {
  const hub = await startTestHub(t);
  const c = await RawConnection.open(t, hub.tcp.port);
  const bytes = Buffer.from('{"id":1,"method":"enqueue","params":{"prompt":"héllo ✓"}}\n');
  const cut = bytes.indexOf(0xc3) + 1;
  c.send(bytes.subarray(0, cut));
  c.send(bytes.subarray(cut));
  await c.replies(1);
  const got = await c.request("get", { task_id: 1 });
  t.equal((got.result!.task as { prompt: string }).prompt, "héllo ✓");
});

storeTest("list limit outside the allowed range is a 400-style error, not an internal one", async (t) => {
  const hub = await startTestHub(t);
  const c = await RawConnection.open(t, hub.tcp.port);
  for (const limit of ["1e20", "-1e20", "100000000000000000000"]) {
    c.send(`{"id":1,"method":"list","params":{"limit":${limit}}}\n`);
    const [r] = await c.replies(1);
    t.match(r!.error?.message, /^list: limit must be an integer between -1000000000 and 1000000000/, `limit ${limit}`);
  }
  t.same((await c.request("list", { limit: 1000000000 })).error, null, "the bound itself is fine");
});

storeTest("hubs: the store and the hubs sharing it; hello names the store", async (t, store) => {
  const hub = await startTestHub(t);
  const c = await RawConnection.open(t, hub.tcp.port);
  const hello = (await c.request("hello")).result!;
  t.equal(hello.store, store);
  t.ok((hello.features as string[]).includes("hubs") && (hello.features as string[]).includes("lease-seq"));
  const r = (await c.request("hubs")).result as { store: { kind: string; location: string }; hubs: { listen: string; self: boolean; pid: number }[] };
  t.equal(r.store.kind, store);
  t.equal(r.store.location, hub.store.location);
  t.notMatch(r.store.location, /:[^/@]*@/, "no password in the location");
  t.equal(r.hubs.length, 1);
  t.match(r.hubs[0], { listen: `127.0.0.1:${hub.tcp.port}`, self: true, pid: process.pid });
});
