// The pure parts of the hub's memory budget: the line reader's caps, the shared byte budget, the connection cap that
// fits `ulimit -n`, the size and duration flags, the weak-token refusal, and how `list` cuts a text.
import t from "tap";
import { ByteBudget } from "../../src/hub/byte-budget.ts";
import { checkBind, parseSize, parseTimeout } from "../../src/hub/config.ts";
import { DEFAULT_LIMITS, fitConnections, maxTasksPerLease } from "../../src/hub/limits.ts";
import { LineReader } from "../../src/hub/line-reader.ts";
import { cutText, listedTask } from "../../src/hub/list-reply.ts";

t.test("LineReader: a first line may have its own, smaller cap (the auth a hub with a token expects)", async (t) => {
  const reader = new LineReader(1000, 10);
  t.same(reader.push(Buffer.from("\n  \nshort\n")), ["short"], "blank lines do not count as the first line");
  t.same(reader.push(Buffer.from(`${"x".repeat(500)}\n`)), ["x".repeat(500)], "after the first line, the full cap");
  const endless = new LineReader(1000, 10);
  t.same(endless.push(Buffer.from("01234567890123")), []);
  t.equal(endless.overflowed, 10, "the cap that applied");
  t.equal(endless.pendingBytes, 0, "nothing kept after an overflow");
  t.same(endless.push(Buffer.from("\nmore\n")), [], "nothing read after an overflow");
});

t.test("LineReader: pendingBytes counts the line being assembled", async (t) => {
  const reader = new LineReader(100);
  reader.push(Buffer.from("abc"));
  reader.push(Buffer.from("def"));
  t.equal(reader.pendingBytes, 6);
  t.same(reader.push(Buffer.from("\n")), ["abcdef"]);
  t.equal(reader.pendingBytes, 0);
});

t.test("ByteBudget: holders over the limit wait, a small holder never does, releases wake the waiters", async (t) => {
  const budget = new ByteBudget(100, 10);
  budget.change(95);
  t.ok(budget.allows(50), "under the limit: allowed");
  budget.change(10);
  t.notOk(budget.allows(50), "over the limit: a big holder waits");
  t.ok(budget.allows(5), "under the floor: always allowed");
  let woken = 0;
  const cancel = budget.wait(() => woken++);
  budget.wait(() => woken++);
  cancel();
  budget.change(2);
  t.equal(woken, 0, "adding bytes wakes nobody");
  budget.change(-20);
  t.equal(woken, 1, "a release under the limit wakes each waiter once (not the cancelled one)");
  budget.change(-1);
  t.equal(woken, 1);
  t.equal(budget.total, 86);
});

t.test("fitConnections: the cap is lowered to fit the open-file limit, and says why", async (t) => {
  t.same(fitConnections(1000, undefined, { rest: false, dbPool: 10 }), { maxConnections: 1000 });
  t.same(fitConnections(1000, 1_048_576, { rest: true, dbPool: 10 }), { maxConnections: 1000 });
  const low = fitConnections(1000, 200, { rest: false, dbPool: 10 });
  t.equal(low.maxConnections, 126);
  t.match(low.lowered, /--max-connections lowered from 1000 to 126 to fit the open-file limit \(ulimit -n 200\)/);
  t.equal(fitConnections(1000, 200, { rest: true, dbPool: 10 }).maxConnections, 63, "REST connections need descriptors too");
  t.equal(fitConnections(1000, 20, { rest: false, dbPool: 10 }).maxConnections, 1, "at least one");
});

t.test("maxTasksPerLease: a lease reply holds at most max-reply-bytes of prompts", async (t) => {
  t.equal(maxTasksPerLease(DEFAULT_LIMITS), 16);
  t.equal(maxTasksPerLease({ maxReplyBytes: 100, maxPromptBytes: 1000 }), 1);
});

t.test("size and duration flags: units, and a clear usage error", async (t) => {
  t.equal(parseSize("1048576", "--max-prompt-bytes"), 1048576);
  t.equal(parseSize("64KiB", "--max-prompt-bytes"), 65536);
  t.equal(parseSize("8MiB", "--max-line-bytes"), 8 * 1024 * 1024);
  for (const bad of ["0", "-1", "1.5", "8MB", "lots"]) {
    t.throws(() => parseSize(bad, "--max-line-bytes"), { code: "usage", message: /--max-line-bytes must be a size in bytes such as 1048576 or 1MiB/ }, bad);
  }
  t.equal(parseTimeout("10", "--idle-timeout"), 10_000, "a bare number is seconds");
  t.equal(parseTimeout("500ms", "--idle-timeout"), 500);
  t.equal(parseTimeout("5m", "--idle-timeout"), 300_000);
  t.equal(parseTimeout("0", "--idle-timeout"), 0, "0 turns it off");
  t.throws(() => parseTimeout("soon", "--auth-timeout"), { code: "usage", message: /--auth-timeout must be a duration such as 10s/ });
});

t.test("a non-loopback hub refuses a whitespace-only or short token (exit 2), unless --allow-insecure-bind", async (t) => {
  const base = { host: "0.0.0.0", port: 0, db: ":memory:", leaseSeconds: 60, maxAttempts: 5, maxLineBytes: 1024 };
  t.throws(() => checkBind({ ...base, token: "   \t " }), {
    code: "hub-weak-token",
    message: /refusing to listen on 0\.0\.0\.0 \(--host\): the token is only whitespace/,
  });
  t.throws(() => checkBind({ ...base, token: "s3cret" }), { code: "hub-weak-token", message: /the token has 6 characters, fewer than 16/ });
  t.throws(() => checkBind({ ...base, host: "127.0.0.1", restPort: 0, restHost: "0.0.0.0", token: "short" }), { message: /--rest-host/ });
  t.doesNotThrow(() => checkBind({ ...base, token: "a-random-token-of-24-chars" }));
  t.doesNotThrow(() => checkBind({ ...base, token: "s3cret", allowInsecureBind: true }));
  t.doesNotThrow(() => checkBind({ ...base, host: "127.0.0.1", token: "s3cret" }), "loopback: any token will do");
});

t.test("cutText: cut to a number of UTF-8 bytes, never inside a character, with a marker naming the full length", async (t) => {
  t.same(cutText("short", 5, 1024), { text: "short", cut: false });
  t.same(cutText("ééééé", 5, 10), { text: "ééééé", cut: false }, "10 bytes fit in 10");
  const cut = cutText("éééééé", 6, 5);
  t.ok(cut.cut);
  t.equal(cut.text, "éé… [cut: 6 characters in all; `get` returns the full text]", "5 bytes hold two é, not half of a third");
  t.match(cutText("abc", 1_000_000, 1024), { text: /^abc… \[cut: 1000000 characters in all/, cut: true }, "the store already cut it");
});

t.test("listedTask: a cut result becomes the start of its JSON text, and truncated names the fields", async (t) => {
  const row = {
    task_id: 7,
    prompt: "p".repeat(50),
    prompt_chars: 5000,
    status: "done" as const,
    created_at: 1,
    updated_at: 2,
    leased_until: null,
    worker_id: "w",
    result_json: JSON.stringify({ text: "r".repeat(40) }),
    result_chars: 4000,
    error_json: JSON.stringify("small"),
    error_chars: 7,
    attempts: 1,
    max_attempts: null,
    backend: null,
    priority: 0,
    lease_seq: 1,
  };
  const task = listedTask(row, 20, 5);
  t.same(task.truncated, ["prompt", "result"]);
  t.match(task.prompt, /^p{20}… \[cut: 5000 characters/);
  t.match(task.result, /^\{"text":"r{11}… \[cut: 4000 characters/);
  t.equal(task.error, "small", "an uncut error is parsed JSON");
  t.equal(task.max_attempts, 5);
});
