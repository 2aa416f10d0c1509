// `mittelo swarm --agent echo=2 --agent codex=1`: spawns agents, prefixes their logs, forwards signals, leaves no orphan.
import { createInterface } from "node:readline";
import { execa, type ResultPromise } from "execa";
import type { CliIO } from "../cli/io.ts";
import { MitteloError } from "../util/errors.ts";
import { parentPidEnv } from "../util/parent-watch.ts";
import { startRunGuard } from "./run-guard.ts";
import { signalExitCode, stoppable } from "./stop-signal.ts";

export interface SwarmSpec {
  backend: string;
  count: number;
}

export function parseAgentSpec(spec: string): SwarmSpec {
  const match = /^([a-z][a-z0-9_-]*)(?:=(\d+))?$/.exec(spec);
  if (!match) throw new MitteloError("bad-flag", `--agent takes NAME or NAME=COUNT (e.g. echo=2), got '${spec}'`);
  const count = Number(match[2] ?? 1);
  if (count < 1) throw new MitteloError("bad-flag", `--agent ${spec}: the count must be at least 1`);
  return { backend: match[1] as string, count };
}

/** Starts the agents; `token` reaches them as MITTELO_TOKEN in their environment (never as an argument). */
export async function runSwarm(specs: SwarmSpec[], agentArgs: string[], io: CliIO, bin: string, token?: string): Promise<number> {
  // The agents and their backends carry the swarm's mark: should the swarm be killed, its watchdog kills them all.
  const guard = startRunGuard();
  try {
    return await superviseAgents(specs, agentArgs, io, bin, token);
  } finally {
    await guard.close();
  }
}

async function superviseAgents(specs: SwarmSpec[], agentArgs: string[], io: CliIO, bin: string, token?: string): Promise<number> {
  const children: Array<{ name: string; child: ResultPromise }> = [];
  for (const spec of specs) {
    for (let i = 1; i <= spec.count; i++) {
      const name = `${spec.backend}-${i}`;
      const child = execa(process.execPath, [bin, "agent", "--backend", spec.backend, "--worker-id", name, ...agentArgs], {
        reject: false,
        stdin: "ignore",
        buffer: false,
        // A process group of its own: Ctrl-C in the terminal reaches the swarm only, which passes it on once. (In the
        // swarm's group an agent could get it twice, from the terminal and from the swarm, unless the two arrived
        // close enough to merge, and take the second for the forceful one.) Should the swarm die, MITTELO_PARENT_PID
        // and the run's watchdog stop them.
        detached: true,
        // MITTELO_PARENT_PID: the agents stop by themselves should the swarm be SIGKILLed.
        env: { ...parentPidEnv(), ...(token ? { MITTELO_TOKEN: token } : {}) },
      });
      for (const stream of [child.stdout, child.stderr]) {
        if (stream) createInterface({ input: stream }).on("line", (line) => io.stderr(`[${name}] ${line}\n`));
      }
      children.push({ name, child });
    }
  }
  const forward = (signal: NodeJS.Signals) => {
    for (const { child } of children) child.kill(signal);
  };
  // Each signal is passed on to the agents: the first, each finishes the task in hand and exits; the second, each
  // cancels it and kills its backend now (the agents' own rule). The swarm exits when they all have.
  const stopped = await stoppable(
    io,
    "the swarm",
    (signal, first) => {
      signal.addEventListener("abort", () => forward(first() ?? "SIGTERM"), { once: true });
      return Promise.all(children.map(({ child }) => child));
    },
    {
      stopping: "stopping the swarm; each agent finishes the task in hand, then exits (send it again to cancel the tasks)",
      forcing: "each agent cancels the task in hand and kills its backend now",
      force: forward,
    },
  );
  let code = 0;
  stopped.value.forEach((r, i) => {
    if (r.exitCode !== 0) io.stderr(`[swarm] ${children[i]?.name} exited with ${r.exitCode ?? r.signal}\n`);
    code = Math.max(code, r.exitCode ?? 1);
  });
  return stopped.forced && stopped.signal ? signalExitCode(stopped.signal) : code;
}
