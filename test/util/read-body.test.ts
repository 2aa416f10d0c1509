// util/read-body.ts, the one reader of HTTP bodies (hub REST, model stub), against a real server on 127.0.0.1:0.
import { createServer, type IncomingMessage, request } from "node:http";
import type { AddressInfo } from "node:net";
import t, { type Test } from "tap";
import { ByteBudget } from "../../src/hub/byte-budget.ts";
import { BodyTooLarge, readBody } from "../../src/util/read-body.ts";

/** A server whose handler reads each body with `read`; every outcome is handed to the test through `seen`. */
async function serve(t: Test, read: (req: IncomingMessage) => Promise<Buffer>) {
  const seen: Promise<Buffer | Error>[] = [];
  const server = createServer((req, res) => {
    const outcome = read(req).then(
      (body) => body,
      (error: Error) => error,
    );
    seen.push(outcome);
    void outcome.then((o) => {
      res.writeHead(o instanceof Error ? 413 : 200, { connection: "close" });
      res.end(o instanceof Error ? o.message : String(o.length));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as AddressInfo).port, seen };
}

/** Posts `chunks` (chunked, or with a content-length when `length` is given) and resolves with the status. */
function post(port: number, chunks: string[], length?: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method: "POST", path: "/", headers: length === undefined ? {} : { "content-length": length } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    for (const c of chunks) req.write(c);
    req.end();
  });
}

t.test("a body within the limit is read whole", async (t) => {
  const { port, seen } = await serve(t, (req) => readBody(req, 100));
  t.equal(await post(port, ["a".repeat(60), "b".repeat(40)]), 200);
  t.equal(((await seen[0]) as Buffer).toString(), `${"a".repeat(60)}${"b".repeat(40)}`);
});

t.test("over the limit: by content-length before reading, or while reading a chunked body", async (t) => {
  const { port, seen } = await serve(t, (req) => readBody(req, 100));
  t.equal(await post(port, ["x".repeat(101)], 101), 413);
  const declared = await seen[0];
  t.ok(declared instanceof BodyTooLarge, "a BodyTooLarge");
  t.match(declared, { limit: 100, seen: "101 bytes" });
  t.equal(await post(port, ["x".repeat(80), "y".repeat(80)]), 413);
  t.match(await seen[1], { name: "BodyTooLarge", limit: 100, seen: "more than 100 bytes" });
});

t.test("with a budget: bytes count while read, reading waits while the budget is full, all is released after", async (t) => {
  const budget = new ByteBudget(10_000, 10);
  budget.change(20_000); // held by someone else: the budget is full
  const { port, seen } = await serve(t, (req) => readBody(req, 100_000, budget));
  const status = post(port, ["a".repeat(2000), "b".repeat(2000)]);
  // The reader took its first chunk (over the floor, the budget over its limit) and now waits for room.
  const start = Date.now();
  while (budget.total <= 20_000 && Date.now() - start < 10_000) await new Promise((r) => setTimeout(r, 10));
  t.ok(budget.total > 20_000, "the bytes read count against the budget");
  await new Promise((r) => setTimeout(r, 200));
  t.equal(seen.length, 1);
  let settled = false;
  void seen[0]!.then(() => {
    settled = true;
  });
  await new Promise((r) => setTimeout(r, 50));
  t.notOk(settled, "reading waits while the budget is full");
  budget.change(-20_000);
  t.equal(await status, 200);
  t.equal(((await seen[0]) as Buffer).length, 4000);
  t.equal(budget.total, 0, "released when the body is complete");
});
