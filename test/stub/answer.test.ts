// Answer sources: fixed reply, echo, script (YAML and JSON), and the default "Return exactly:" rule.
import { fileURLToPath } from "node:url";
import t from "tap";
import { answerFor, loadScript } from "../../src/stub/index.ts";
import { answerOf, post, requestFor, stubFor } from "../fixtures/stub/helpers.ts";

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/stub/${name}`, import.meta.url));

t.test("default: the text after 'Return exactly:', else the prompt", async (t) => {
  t.equal(answerFor({ kind: "default" }, "Do it.\nReturn exactly: OK 42  \nmore"), "OK 42");
  t.equal(answerFor({ kind: "default" }, "  just echo me  "), "just echo me");
});

t.test("reply and echo", async (t) => {
  t.equal(answerFor({ kind: "reply", text: "fixed" }, "Return exactly: other"), "fixed");
  t.equal(answerFor({ kind: "echo" }, "Return exactly: x"), "Return exactly: x");
});

t.test("a YAML script: first matching rule, groups substituted, default when none matches", async (t) => {
  const script = loadScript(fixture("script.yaml"));
  t.equal(answerFor(script, "What is the capital of Narnia?"), "The capital of Narnia is Stubville.");
  t.equal(answerFor(script, "ping"), "pong");
  t.equal(answerFor(script, "something else"), "no rule matched");
});

t.test("a JSON script without default falls back to the default rule", async (t) => {
  const script = loadScript(fixture("script.json"));
  t.equal(answerFor(script, "HELLO there"), "hi from json");
  t.equal(answerFor(script, "Return exactly: fallback"), "fallback");
});

t.test("a broken script is a user error naming the file and the rule", async (t) => {
  t.throws(() => loadScript(fixture("bad-script.yaml")), { name: "MitteloError" });
  t.throws(() => loadScript(fixture("bad-script.yaml")), { code: "stub-script", message: /rule 1: invalid regular expression/ });
  t.throws(() => loadScript(fixture("missing.yaml")), { code: "stub-script", message: /missing\.yaml/ });
});

t.test("the server answers with the script over HTTP", async (t) => {
  const stub = await stubFor(t, { answer: loadScript(fixture("script.yaml")) });
  const { path, body } = requestFor("openai-chat", "capital of Oz", true);
  t.equal(answerOf("openai-chat", true, await (await post(stub.url + path, body)).text()), "The capital of Oz is Stubville.");
});
