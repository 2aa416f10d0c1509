// Secrets between the hub, agents and backends: the token travels in the environment (never argv), and what an
// agent acks (stored by the hub, shown by `status` and the dashboard) is redacted.
import { execa } from "execa";
import t from "tap";
import { BIN } from "../helpers/cli.ts";
import { agent, MANIFEST } from "../fixtures/agent/helpers.ts";
import { connect, startTestHub } from "../fixtures/hub/helpers.ts";

const KEY = "sk-agent-fixture-0123456789";

t.test("an agent redacts the backend's answer and error before acking them", async (t) => {
  const hub = await startTestHub(t);
  const client = await connect(t, hub.tcp.port);
  await client.call("enqueue", { prompt: "answer" });
  await client.call("enqueue", { prompt: "fail" });
  const result = await agent(["--backend", "leaker", "--port", String(hub.tcp.port), "--until-empty", "--no-preflight"], { AGENT_FIXTURE_KEY: KEY });
  t.equal(result.exitCode, 0, result.stderr);
  const { tasks } = await client.call("list", { limit: 0 });
  const [done, failed] = tasks.sort((a, b) => a.task_id - b.task_id);
  t.equal(done?.status, "done");
  t.equal(done?.result, "my key is [REDACTED:AGENT_FIXTURE_KEY]");
  t.equal(failed?.status, "failed");
  t.match(failed?.error, "rejected key [REDACTED:AGENT_FIXTURE_KEY]");
  t.notMatch(JSON.stringify(tasks), KEY);
  t.notMatch(result.stderr, KEY);
});

t.test("swarm gives its agents the hub token in their environment, never on their command line", async (t) => {
  const token = "swarm-token-0123456789abcdef";
  const hub = await startTestHub(t, { token });
  const client = await connect(t, hub.tcp.port, token);
  for (let i = 0; i < 3; i++) await client.call("enqueue", { prompt: `slow ${i}` });
  const swarm = execa(
    "node",
    [BIN, "swarm", "--manifest", MANIFEST, "--agent", "slowtask=1", "--port", String(hub.tcp.port), "--token", token, "--until-empty"],
    {
      reject: false,
      stdin: "ignore",
    },
  );
  // While the agent runs, no process shows the token in its arguments (`ps` shows them to every user).
  let agents = 0;
  const deadline = Date.now() + 60_000;
  while (agents === 0 && Date.now() < deadline) {
    const ps = String((await execa("ps", ["-eo", "args"])).stdout);
    const mine = ps.split("\n").filter((line) => line.includes(`--port ${hub.tcp.port}`));
    agents = mine.filter((line) => line.includes(" agent ")).length;
    for (const line of mine.filter((l) => !l.includes(" swarm "))) t.notMatch(line, token, "no token on an agent's command line");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  t.ok(agents > 0, "the agent was seen running");
  const result = await swarm;
  t.equal(result.exitCode, 0, String(result.stderr));
  const { tasks } = await client.call("list", { limit: 0 });
  t.equal(tasks.filter((task) => task.status === "done").length, 3, "the agent authenticated with the token from its environment");
});
