// The REST adapter against schemas/rest.openapi.json: every documented route and status answers as documented,
// every route the adapter serves is documented; plus the REST-specific error paths.
import t from "tap";
import { ROUTES } from "../../src/hub/rest.ts";
import { ajv, readSchema, validatorFor } from "../../src/util/ajv.ts";
import { startTestHub, storeTest } from "../fixtures/hub/helpers.ts";

type Operation = { responses: Record<string, { content?: Record<string, unknown> }> };
const spec = readSchema("rest.openapi.json") as { paths: Record<string, Record<string, Operation>> };
validatorFor("protocol.schema.json"); // the OpenAPI document refers to it
if (!ajv().getSchema("rest.openapi.json")) ajv().addSchema(spec, "rest.openapi.json");

const pointer = (...parts: string[]) => parts.map((p) => encodeURIComponent(p.replaceAll("~", "~0").replaceAll("/", "~1"))).join("/");
function responseValidator(path: string, method: string, status: string) {
  const fn = ajv().getSchema(`rest.openapi.json#/${pointer("paths", path, method, "responses", status, "content", "application/json", "schema")}`);
  if (!fn) throw new Error(`no schema for ${method} ${path} ${status}`);
  return fn;
}

const TOKEN = "rest-token";
interface Case {
  path: string; // documented path
  url: string;
  method: "get" | "post";
  status: number;
  body?: string;
  auth?: boolean;
}
const cases: Case[] = [
  { path: "/health", url: "/health", method: "get", status: 200, auth: false },
  { path: "/stats", url: "/stats", method: "get", status: 200 },
  { path: "/stats", url: "/stats", method: "get", status: 401, auth: false },
  { path: "/tasks", url: "/tasks", method: "post", status: 201, body: '{"prompt":"one"}' },
  { path: "/tasks", url: "/tasks", method: "post", status: 201, body: '{"prompt":"two","backend":"echo","priority":3}' },
  { path: "/tasks", url: "/tasks", method: "post", status: 400, body: '{"prompt":1}' },
  { path: "/tasks", url: "/tasks", method: "post", status: 400, body: "{nope" },
  { path: "/tasks", url: "/tasks", method: "post", status: 400, body: "[1]" },
  { path: "/tasks", url: "/tasks", method: "post", status: 413, body: JSON.stringify({ prompt: "x".repeat(5000) }) },
  { path: "/tasks", url: "/tasks", method: "post", status: 401, body: '{"prompt":"x"}', auth: false },
  { path: "/tasks", url: "/tasks", method: "get", status: 200 },
  { path: "/tasks", url: "/tasks?status=queued&limit=1", method: "get", status: 200 },
  { path: "/tasks", url: "/tasks?limit=x", method: "get", status: 400 },
  { path: "/tasks", url: "/tasks?status=weird", method: "get", status: 400 },
  { path: "/tasks", url: "/tasks", method: "get", status: 401, auth: false },
  { path: "/tasks/{task_id}", url: "/tasks/1", method: "get", status: 200 },
  { path: "/tasks/{task_id}", url: "/tasks/999", method: "get", status: 404 },
  { path: "/tasks/{task_id}", url: "/tasks/abc", method: "get", status: 404 },
  { path: "/tasks/{task_id}", url: "/tasks/%E0%A4%A", method: "get", status: 400 },
  { path: "/tasks/{task_id}", url: "/tasks/%E0%A4%A", method: "get", status: 401, auth: false },
  { path: "/tasks", url: "/tasks?limit=100000000000000000000", method: "get", status: 400 },
  { path: "/tasks/{task_id}", url: "/tasks/1", method: "get", status: 401, auth: false },
  { path: "/tasks/retry_failed", url: "/tasks/retry_failed", method: "post", status: 200 },
  { path: "/tasks/retry_failed", url: "/tasks/retry_failed", method: "post", status: 401, auth: false },
  { path: "/shutdown", url: "/shutdown", method: "post", status: 401, auth: false },
  { path: "/shutdown", url: "/shutdown", method: "post", status: 200 }, // last: stops the hub
];

t.test("every route the adapter serves is documented, and every documented route is served", async (t) => {
  const served = ROUTES.map((r) => `${r.method.toLowerCase()} ${r.path}`).sort();
  const documented = Object.entries(spec.paths)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`))
    .sort();
  t.same(served, documented);
});

storeTest("every documented response is produced by the running adapter and matches its schema", async (t) => {
  const hub = await startTestHub(t, { token: TOKEN, restPort: 0, maxLineBytes: 4096 });
  const base = `http://127.0.0.1:${hub.rest!.port}`;
  const seen = new Set<string>();
  for (const c of cases) {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (c.auth !== false) headers.authorization = `Bearer ${TOKEN}`;
    const res = await fetch(base + c.url, { method: c.method.toUpperCase(), headers, ...(c.body === undefined ? {} : { body: c.body }) });
    const text = await res.text();
    const label = `${c.method.toUpperCase()} ${c.url} → ${c.status}`;
    t.equal(res.status, c.status, label);
    t.match(res.headers.get("content-type"), /^application\/json/, `${label}: JSON`);
    const documented = spec.paths[c.path]?.[c.method]?.responses[String(res.status)];
    t.ok(documented, `${label}: status documented`);
    if (documented) {
      const validate = responseValidator(c.path, c.method, String(res.status));
      t.ok(validate(JSON.parse(text)), `${label}: body matches the schema ${JSON.stringify(validate.errors)} ${text.slice(0, 200)}`);
    }
    seen.add(`${c.method} ${c.path} ${res.status}`);
  }
  for (const [path, ops] of Object.entries(spec.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      for (const status of Object.keys(op.responses)) t.ok(seen.has(`${method} ${path} ${status}`), `${method} ${path} ${status} is exercised`);
    }
  }
  await hub.closed;
});

storeTest("unknown routes are 404 and wrong methods 405 with Allow; REST and TCP share one queue", async (t) => {
  const hub = await startTestHub(t, { restPort: 0 });
  const base = `http://127.0.0.1:${hub.rest!.port}`;
  const missing = await fetch(`${base}/nope`);
  t.equal(missing.status, 404);
  t.match(await missing.json(), { error: { message: /no route GET \/nope/ } });
  const wrong = await fetch(`${base}/stats`, { method: "DELETE" });
  t.equal(wrong.status, 405);
  t.equal(wrong.headers.get("allow"), "GET");
  await wrong.text();
  const created = (await (await fetch(`${base}/tasks`, { method: "POST", body: '{"prompt":"hi"}' })).json()) as { task_id: number };
  const { HubClient } = await import("../../src/hub/client.ts");
  const client = await HubClient.connect({ host: "127.0.0.1", port: hub.tcp.port });
  t.teardown(() => client.close());
  const leased = await client.call("lease", { worker_id: "w" });
  t.equal(leased.tasks[0]?.task_id, created.task_id);
});

storeTest("a chunked body over the limit (no content-length) gets 413 and the connection is closed, not reset", async (t) => {
  const hub = await startTestHub(t, { restPort: 0, maxLineBytes: 4096 });
  const { request } = await import("node:http");
  const answer = await new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
    const req = request(`http://127.0.0.1:${hub.rest!.port}/tasks`, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (s: string) => {
        body += s;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
    });
    req.on("error", reject);
    req.write(`{"prompt":"${"x".repeat(4096)}`);
    req.end(`${"y".repeat(4096)}"}`);
  });
  t.equal(answer.status, 413);
  t.equal(answer.connection, "close");
  t.match(JSON.parse(answer.body), { error: { message: "request body exceeds the limit of 4096 bytes" } });
  const after = await fetch(`http://127.0.0.1:${hub.rest!.port}/tasks`, { method: "POST", body: '{"prompt":"still up"}' });
  t.equal(after.status, 201, "the hub keeps serving");
  await after.text();
});
