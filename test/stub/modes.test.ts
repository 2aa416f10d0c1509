// Every mode in every dialect: error statuses with the dialect's error body, slow, hang (client aborts; close still completes), garbage.
import t from "tap";
import { DIALECTS } from "../../src/stub/index.ts";
import { observeStub } from "../../src/stub/observe.ts";
import { answerOf, post, requestFor, stubFor, waitFor } from "../fixtures/stub/helpers.ts";

/** Where each dialect puts the error's message. */
function errorMessageOf(dialect: string, json: Record<string, unknown>): unknown {
  const error = json.error as Record<string, unknown> | undefined;
  if (dialect === "anthropic") return json.type === "error" ? error?.message : undefined;
  return error?.message;
}

for (const dialect of DIALECTS) {
  for (const [mode, status] of [
    ["401", 401],
    ["429", 429],
    ["500", 500],
  ] as const) {
    t.test(`${dialect} in mode ${mode}: HTTP ${status} with the dialect's error body`, async (t) => {
      const stub = await stubFor(t, { mode });
      const { path, body } = requestFor(dialect, "hi", true);
      const res = await post(stub.url + path, body);
      t.equal(res.status, status);
      const json = (await res.json()) as Record<string, unknown>;
      t.match(errorMessageOf(dialect, json), new RegExp(`simulated ${status}`));
      t.match(stub.requests(), [{ status, mode, dialect }]);
    });
  }

  t.test(`${dialect} in mode garbage: 200 with a body that does not parse`, async (t) => {
    const stub = await stubFor(t, { mode: "garbage" });
    for (const stream of [true, false]) {
      const { path, body } = requestFor(dialect, "hi", stream);
      const res = await post(stub.url + path, body);
      t.equal(res.status, 200);
      const text = await res.text();
      t.throws(() => answerOf(dialect, stream, text), `${stream ? "stream" : "JSON"} body is invalid`);
    }
  });

  t.test(`${dialect} in mode slow: answers normally after the delay`, async (t) => {
    const stub = await stubFor(t, { mode: "slow", slowMs: 30 });
    const { path, body } = requestFor(dialect, "Return exactly: late", true);
    t.equal(answerOf(dialect, true, await (await post(stub.url + path, body)).text()), "late");
  });

  t.test(`${dialect} in mode hang: never answers; the aborted request is logged`, async (t) => {
    const stub = await stubFor(t, { mode: "hang" });
    const { path, body } = requestFor(dialect, "hi", true);
    const controller = new AbortController();
    const pending = post(stub.url + path, body, { signal: controller.signal });
    await waitFor(() => stub.pending() === 1, "the stub to receive the request");
    controller.abort();
    await t.rejects(pending, { name: "AbortError" });
    await waitFor(() => stub.requests().length === 1, "the aborted request to be logged");
    t.match(stub.requests(), [{ status: null, note: "aborted", mode: "hang", dialect }]);
  });
}

t.test("the classifier's observer counts a hanging call that is still open (its connection not yet closed)", async (t) => {
  const stub = await stubFor(t, { mode: "hang" });
  const observer = observeStub(stub);
  const { path, body } = requestFor("openai-chat", "hi", false);
  const before = post(stub.url + path, body).catch(() => {});
  await waitFor(() => stub.pending() === 1, "a request from before the mark");
  const mark = observer.mark();
  t.same(observer.since(mark), { calls: [], omitted: 0 }, "nothing since the mark yet: the open request came before it");
  const during = post(stub.url + path, body).catch(() => {});
  await waitFor(() => stub.pending() === 2, "the run's request");
  t.same(observer.since(mark), { calls: [{ status: null, mode: "hang" }], omitted: 0 }, "the run's call, unanswered, while it is open");
  await stub.close();
  await Promise.all([before, during]);
});

t.test("close() completes while requests hang, and their clients see the connection end", async (t) => {
  const stub = await stubFor(t, { mode: "hang" });
  const { path, body } = requestFor("anthropic", "hi", true);
  const hanging = Promise.allSettled([post(stub.url + path, body), post(stub.url + path, body), post(stub.url + path, body)]);
  await waitFor(() => stub.pending() === 3, "three hanging requests");
  await stub.close();
  t.same(
    (await hanging).map((r) => r.status),
    ["rejected", "rejected", "rejected"],
  );
  t.equal(stub.pending(), 0);
  t.equal(stub.requests().length, 3);
});

t.test("close() completes during slow mode's delay", async (t) => {
  const stub = await stubFor(t, { mode: "slow", slowMs: 600_000 });
  const { path, body } = requestFor("openai-chat", "hi", false);
  const request = post(stub.url + path, body).then(
    () => "answered",
    () => "rejected",
  );
  await waitFor(() => stub.pending() === 1, "the slow request");
  await stub.close();
  t.equal(await request, "rejected");
});

t.test("modes apply to model calls only; HEAD / still answers in 401 mode; setMode switches", async (t) => {
  const stub = await stubFor(t, { mode: "401" });
  t.equal((await fetch(`${stub.url}/`, { method: "HEAD" })).status, 200);
  const { path, body } = requestFor("gemini", "Return exactly: back", false);
  t.equal((await post(stub.url + path, body)).status, 401);
  stub.setMode("ok");
  t.equal(answerOf("gemini", false, await (await post(stub.url + path, body)).text()), "back");
});
