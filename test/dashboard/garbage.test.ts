// A fake "hub" that answers garbage, the wrong types, or drops the connection: still OFFLINE with one error line, exit 1, no stack trace.
import type net from "node:net";
import t, { type Test } from "tap";
import { renderPlain } from "../../src/dashboard/plain.ts";
import { fetchSnapshot } from "../../src/dashboard/snapshot.ts";
import { fakeHub } from "../fixtures/dashboard/helpers.ts";
import { spawnCli } from "../helpers/cli.ts";

const reply = (socket: net.Socket, id: unknown, result: unknown) => socket.write(`${JSON.stringify({ id, result, error: null })}\n`);
const HELLO = { server: "mittelo", version: "9.9.9", protocol: 1, features: [] };

/** Answers hello properly and every other method with `result`. */
const wrongResult = (result: unknown) => ({
  onLine: (socket: net.Socket, req: { id?: unknown; method?: string }) => reply(socket, req.id, req.method === "hello" ? HELLO : result),
});

const cases: [string, Parameters<typeof fakeHub>[1], RegExp][] = [
  ["a line that is not JSON", { onLine: (s) => s.write("<html>500 Internal Server Error</html>\n") }, /not JSON/],
  ["half a reply, then the connection closes", { onLine: (s) => s.end('{"id":1,"res') }, /closed/],
  ["the connection is reset on connect", { onConnect: (s) => s.resetAndDestroy() }, /ECONNRESET|closed/],
  ["binary bytes and no newline, then close", { onLine: (s) => s.end(Buffer.from([0, 255, 1, 27, 91, 50, 74])) }, /closed/],
  ["hello without a version", { onLine: (s, req) => reply(s, req.id, { server: "x" }) }, /unexpected reply to hello: version is undefined/],
  ["stats of the wrong type", wrongResult({ stats: "many", tasks: [] }), /unexpected reply to stats: stats is "many"/],
  [
    "a task with a bad status",
    wrongResult({ stats: { queued: 1, leased: 0, done: 0, failed: 0 }, tasks: [{ task_id: 1, status: 7 }] }),
    /tasks\[0\]\.status is number 7/,
  ],
  ["tasks that are not an array", wrongResult({ stats: { queued: 0, leased: 0, done: 0, failed: 0 }, tasks: { a: 1 } }), /tasks is an object/],
  [
    "an error reply",
    { onLine: (s, req) => s.write(`${JSON.stringify({ id: req.id, result: null, error: { message: "database is locked\nat line 2" } })}\n`) },
    /database is locked at line 2/,
  ],
  // The client drops this reply without settling its call; the dashboard's own deadline turns that into OFFLINE.
  ["replies out of order", { onLine: (s) => reply(s, 999, HELLO) }, /answered out of order/],
];

/** The OFFLINE text: the address, exactly one error line matching `error`, the start command. */
function checkOffline(t: Test, stdout: string, port: number, error: RegExp): void {
  t.notMatch(stdout, /\n\s+at /, "no stack frames");
  t.match(stdout, `\nOFFLINE: cannot reach the hub at 127.0.0.1:${port}\n`);
  const errors = stdout.split("\n").filter((l) => l.startsWith("error: "));
  t.equal(errors.length, 1, "one error line");
  t.match(errors[0], error);
  t.match(stdout, `\nstart a hub: mittelo hub --host 127.0.0.1 --port ${port}\n`);
}

t.test("every fetch is guarded: the snapshot is OFFLINE with one line", async (t) => {
  await Promise.all(
    cases.map(async ([name, behaviour, error]) => {
      const port = await fakeHub(t, behaviour);
      const state = await fetchSnapshot({ host: "127.0.0.1", port }, { filter: "all", limit: 5, retryInSeconds: 0, timeoutMs: 1000 });
      t.equal(state.kind, "offline", name);
      checkOffline(t, renderPlain(state), port, error);
    }),
  );
});

t.test("the CLI as a real process: exit 1, OFFLINE on stdout, nothing on stderr", async (t) => {
  const picked = cases.filter(([name]) => ["a line that is not JSON", "half a reply, then the connection closes", "a task with a bad status"].includes(name));
  await Promise.all(
    picked.map(async ([name, behaviour, error]) => {
      const port = await fakeHub(t, behaviour);
      const r = await spawnCli(["dashboard", "--once", "--port", String(port)]);
      t.equal(r.code, 1, `${name}: exit 1`);
      t.equal(r.stderr, "", `${name}: nothing on stderr (no stack trace)`);
      checkOffline(t, r.stdout, port, error);
    }),
  );
});

t.test("a `null` reply line", async (t) => {
  const port = await fakeHub(t, { onLine: (s) => s.write("null\n") });
  const r = await spawnCli(["dashboard", "--once", "--port", String(port)]);
  t.equal(r.code, 1);
  t.equal(r.stderr, "");
});
