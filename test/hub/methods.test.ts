// One list of hub methods: the keys of $defs/params in schemas/protocol.schema.json. The generated METHODS, the
// dispatch table, the docs' method table and the REST routes must all agree with it; a typo in a method or a param
// name is a compile error for callers of HubClient.call (the @ts-expect-error lines below fail `tsc` otherwise).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import t from "tap";
import type { HubClient } from "../../src/hub/client.ts";
import { FEATURES, METHODS, type Method } from "../../src/hub/protocol-types.ts";
import { ROUTES } from "../../src/hub/rest.ts";
import { RawConnection, startTestHub } from "../fixtures/hub/helpers.ts";
import { ROOT } from "../helpers/cli.ts";

const schema = JSON.parse(readFileSync(join(ROOT, "schemas", "protocol.schema.json"), "utf8"));
const methods = Object.keys(METHODS);

t.test("METHODS is the schema's list: params, results and the request's enum list the same methods in one order", async (t) => {
  t.same(methods, Object.keys(schema.$defs.params.properties));
  t.same(Object.keys(schema.$defs.results.properties), methods);
  t.same(schema.$defs.request.properties.method.enum, methods);
  for (const m of methods) t.equal(METHODS[m as Method].extension, schema.$defs.params.properties[m]["x-extension"] === true, `${m}: x-extension`);
});

t.test("hello announces the schema's features ($defs/feature), in the order it always did", async (t) => {
  t.same(
    FEATURES,
    schema.$defs.feature.oneOf.map((f: { const: string }) => f.const),
  );
  const hub = await startTestHub(t);
  const c = await RawConnection.open(t, hub.tcp.port);
  const before = [
    "fencing",
    "extend",
    "long-poll",
    "attempts",
    "routing",
    "priority",
    "auth",
    "get",
    "line-limit",
    "workers",
    "lease-seq",
    "hubs",
    "ack-lease",
    "limits",
  ];
  t.same((await c.request("hello")).result?.features, before);
});

t.test("docs/PROTOCOL.md's method table lists every method once, marking the extensions (ext)", async (t) => {
  const text = readFileSync(join(ROOT, "docs", "PROTOCOL.md"), "utf8");
  const section = text.slice(text.indexOf("## Methods"), text.indexOf("\n## ", text.indexOf("## Methods") + 1));
  const rows = [...section.matchAll(/^\| `([a-z_]+)`( \(ext\))? \|/gm)].map((m) => ({ method: m[1] as string, extension: m[2] !== undefined }));
  t.same(
    rows,
    methods.map((m) => ({ method: m, extension: METHODS[m as Method].extension })),
  );
});

t.test("every REST route that calls the protocol names a method of the list (and the OpenAPI file says which)", async (t) => {
  const openapi = readFileSync(join(ROOT, "schemas", "rest.openapi.json"), "utf8");
  const named = [...openapi.matchAll(/protocol method ([a-z_]+)/g)].map((m) => m[1] as string);
  t.ok(named.length > 0);
  for (const m of named) t.ok(methods.includes(m), `rest.openapi.json names ${m}`);
  t.ok(ROUTES.length > 0); // the routes' method names are typed as Method (rest.ts): a typo does not compile
});

t.test("the hub dispatches every method of the list: none is answered as unknown", async (t) => {
  const hub = await startTestHub(t);
  const c = await RawConnection.open(t, hub.tcp.port);
  // In an order in which each call succeeds; shutdown last: it stops the hub.
  const valid: { [M in Method]: Record<string, unknown> } = {
    enqueue: { prompt: "p" },
    lease: { worker_id: "w" },
    extend: { task_id: 1, worker_id: "w" },
    ack: { task_id: 1, status: "done", worker_id: "w" },
    list: {},
    stats: {},
    retry_failed: {},
    get: { task_id: 1 },
    hello: {},
    auth: { token: "x" },
    workers: {},
    hubs: {},
    shutdown: {},
  };
  t.same(Object.keys(valid).sort(), [...methods].sort(), "the test calls every method");
  for (const [m, params] of Object.entries(valid)) {
    const reply = await c.request(m, params);
    t.equal(reply.error, null, `${m} answers: ${JSON.stringify(reply.error)}`);
  }
});

// The line for "nope" is byte for byte what the hub sent before. A name like toString used to pass the params check when
// running from the sources (a JSON pointer into the schema found Object.prototype's member) and get a shorter message.
t.test("an unknown method, also one named like an Object member, gets one reply line naming the methods", async (t) => {
  const hub = await startTestHub(t);
  const c = await RawConnection.open(t, hub.tcp.port);
  const list = "enqueue, lease, ack, list, stats, retry_failed, shutdown, extend, get, hello, auth, workers, hubs";
  for (const name of ["nope", "toString", "__proto__", "constructor", "hasOwnProperty"]) {
    c.send(`{"id":7,"method":${JSON.stringify(name)}}\n`);
    t.same(await c.lines(1), [`{"id":7,"result":null,"error":{"message":"unknown method \\"${name}\\"; methods are: ${list}"}}`], name);
  }
});

/** Never called: what must not compile. `tsc` fails on an @ts-expect-error line that has no error. */
export function compileErrors(client: HubClient): void {
  // @ts-expect-error a misspelt method
  void client.call("retry_faild");
  // @ts-expect-error a misspelt param
  void client.call("enqueue", { promt: "x" });
  // @ts-expect-error a required param left out
  void client.call("ack", { task_id: 1 });
  // @ts-expect-error enqueue has a required param: params may not be left out
  void client.call("enqueue");
  // @ts-expect-error a method without params takes none
  void client.call("stats", { limit: 1 });
  // @ts-expect-error a param of the wrong type
  void client.call("list", { status: "weird" });
  // The result is typed: no cast needed.
  void client.call("enqueue", { prompt: "x" }).then((r) => r.task_id.toFixed());
  // Unchecked, for tests of the hub's refusals: anything goes.
  void client.callUnchecked("retry_faild", { promt: 5 });
}
