// Every dialect answers a real HTTP request, streamed and not, with the deterministic answer and the events clients need.
import t from "tap";
import { DIALECTS } from "../../src/stub/index.ts";
import { answerOf, post, requestFor, sseJson, stubFor } from "../fixtures/stub/helpers.ts";

for (const dialect of DIALECTS) {
  for (const stream of [true, false]) {
    t.test(`${dialect} ${stream ? "streaming" : "JSON"}: answers "Return exactly: X" with X`, async (t) => {
      const stub = await stubFor(t);
      const { path, body } = requestFor(dialect, "Please.\nReturn exactly: mittelo smoke ok\nThanks", stream);
      const res = await post(stub.url + path, body);
      t.equal(res.status, 200);
      t.match(res.headers.get("content-type"), stream ? /text\/event-stream/ : /application\/json/);
      t.equal(answerOf(dialect, stream, await res.text()), "mittelo smoke ok");
      const [record] = stub.requests();
      t.match(record, { method: "POST", dialect, status: 200, mode: "ok" });
      t.ok(record!.model, "the model is logged");
    });
  }
}

t.test("anthropic stream has the Messages event sequence", async (t) => {
  const stub = await stubFor(t);
  const { path, body } = requestFor("anthropic", "hi", true);
  const types = sseJson(await (await post(stub.url + path, body)).text()).map((f) => f.type);
  t.same(types, ["message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"]);
});

t.test("openai-responses stream has the events codex needs, ending with usage", async (t) => {
  const stub = await stubFor(t);
  const { path, body } = requestFor("openai-responses", "Return exactly: two words", true);
  const frames = sseJson(await (await post(stub.url + path, body)).text());
  const types = frames.map((f) => f.type);
  for (const type of ["response.created", "response.output_item.added", "response.output_text.delta", "response.output_item.done", "response.completed"])
    t.ok(types.includes(type), type);
  t.equal(types.at(-1), "response.completed");
  const completed = frames.at(-1) as { response: { usage: { total_tokens: number }; output: { content: { text: string }[] }[] } };
  t.ok(completed.response.usage.total_tokens > 0);
  t.equal(completed.response.output[0]?.content[0]?.text, "two words");
});

t.test("openai-chat stream ends with a usage chunk and [DONE]", async (t) => {
  const stub = await stubFor(t);
  const { path, body } = requestFor("openai-chat", "hi", true);
  const text = await (await post(stub.url + path, body)).text();
  t.match(text.trimEnd(), /data: \[DONE\]$/);
  const frames = sseJson(text) as { choices: { finish_reason: string | null }[]; usage?: unknown }[];
  t.ok(frames.some((f) => f.choices[0]?.finish_reason === "stop"));
  t.ok(frames.at(-1)?.usage);
});

t.test("HEAD / answers 200 and GET /v1/responses (WebSocket upgrade) answers 426", async (t) => {
  const stub = await stubFor(t);
  t.equal((await fetch(`${stub.url}/`, { method: "HEAD" })).status, 200);
  const ws = await fetch(`${stub.url}/v1/responses`);
  t.equal(ws.status, 426);
  await ws.text();
  t.match(stub.requests(), [
    { method: "HEAD", path: "/", status: 200 },
    { method: "GET", path: "/v1/responses", status: 426, dialect: "openai-responses" },
  ]);
});

t.test("a structured-output request gets JSON that fits its schema (gemini's router)", async (t) => {
  const stub = await stubFor(t);
  const schema = { type: "OBJECT", properties: { reasoning: { type: "STRING" }, score: { type: "INTEGER" } }, required: ["reasoning", "score"] };
  const body = {
    contents: [{ role: "user", parts: [{ text: "route this" }] }],
    generationConfig: { responseMimeType: "application/json", responseJsonSchema: schema },
  };
  const res = await post(`${stub.url}/v1beta/models/router:generateContent`, body);
  const json = JSON.parse(answerOf("gemini", false, await res.text()));
  t.same(json, { reasoning: "stub", score: 1 });
});

t.test("system reminders are not part of the prompt the stub answers", async (t) => {
  const stub = await stubFor(t, { answer: { kind: "echo" } });
  const body = {
    model: "m",
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: "<system-reminder>context</system-reminder>" },
          { type: "text", text: "the prompt" },
        ],
      },
    ],
  };
  t.equal(answerOf("anthropic", false, await (await post(`${stub.url}/v1/messages`, body)).text()), "the prompt");
});
