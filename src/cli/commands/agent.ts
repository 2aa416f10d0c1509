import { type Command, Option } from "commander";
import { clientEndpoints } from "../../hub/config.ts";
import { MitteloError } from "../../util/errors.ts";
import { packageFile } from "../../util/package-root.ts";
import { parseDuration } from "../../util/units.ts";
import type { CliIO } from "../io.ts";
import type { AgentCommandOptions } from "../agent-command.ts";
import { collect } from "../options/collect.ts";
import { addHubOptions, type HubFlags } from "../options/hub.ts";
import { addManifestOption, manifestPath } from "../options/manifest.ts";
import { parseNumberFlag, POSITIVE, POSITIVE_INTEGER } from "../options/number.ts";
import { stubModeOption } from "../options/stub-mode.ts";

/** What commander hands the action: the hub and manifest flags, the numbers as typed, the rest as agentCommand takes them. */
type AgentFlags = HubFlags &
  Omit<AgentCommandOptions, "manifest" | "hubs" | "token" | "leaseSeconds" | "waitMs" | "maxTasks"> & {
    manifest?: string;
    leaseSeconds: string;
    wait: string;
    maxTasks?: string;
  };

/** The flags agent and swarm share: where the hubs are, and the manifest. */
function hubOptions(command: Command): Command {
  return addManifestOption(addHubOptions(command, "hubs sharing one queue; the agent moves to the next when one goes away (default: $MITTELO_HUB)"));
}

export function registerAgent(program: Command, io: CliIO): void {
  hubOptions(
    program
      .command("agent")
      .description("lease tasks from the hub and run them on one backend (the same invocation code as the harness)")
      .requiredOption("-b, --backend <name>", "backend to run tasks on")
      .option("--worker-id <id>", "worker id (default: <backend>@<host>:<pid>)")
      .option("--lease-seconds <n>", "lease length; renewed every third of it while a task runs", "60")
      .option("--wait <duration>", "how long one lease request waits for a task (long-poll)", "20s")
      .option("--max-tasks <n>", "exit after this many tasks")
      .option("--once", "take at most one task, then exit")
      .option("--until-empty", "exit when the queue has no task for this backend")
      .option("--no-preflight", "skip the preflight check")
      .option("--require-ready", "refuse to start when preflight warns (default: only when it fails)")
      .option("--stub-url <url>", "point the backend at this model stub (`mittelo stub --print-url`), using its manifest `stub` block")
      .addOption(stubModeOption("start a model stub inside the agent, answering in this mode; what it answers feeds the classifier (429 → SKIP quota)"))
      .option("--stub-log <file>", "with --stub-mode: append the stub's request log (JSONL) to this file")
      .option("--cancel-on-stop", "on SIGINT/SIGTERM cancel the task in hand (backend killed, not acked) instead of finishing it; a second signal always does")
      .addOption(
        new Option("--plan-file <path>", "the plan as JSON, written by the pair smoke that starts this agent (instead of reading the manifest)").hideHelp(),
      )
      .addHelpText("after", "\nExamples:\n  $ mittelo agent --backend echo\n  $ mittelo agent --backend codex --require-ready --lease-seconds 600"),
  ).action(async (flags: AgentFlags) => {
    const { hub, host, port, token: tokenFlag, manifest, leaseSeconds, wait, maxTasks, ...rest } = flags;
    const { hubs, token } = clientEndpoints({ hub, host, port, token: tokenFlag }, process.env);
    const waitMs = parseDuration(wait);
    if (waitMs === undefined) throw new MitteloError("bad-flag", `--wait must be a duration such as 20s, got '${wait}'`);
    const { agentCommand } = await import("../agent-command.ts");
    io.exit(
      await agentCommand(
        {
          ...rest,
          manifest: manifestPath(manifest),
          hubs,
          token,
          leaseSeconds: parseNumberFlag(leaseSeconds, "--lease-seconds", POSITIVE),
          waitMs,
          maxTasks: maxTasks === undefined ? undefined : parseNumberFlag(maxTasks, "--max-tasks", POSITIVE_INTEGER),
        },
        io,
      ),
    );
  });

  hubOptions(
    program
      .command("swarm")
      .description("start several agents at once; their logs are prefixed, signals forwarded, none left behind")
      .requiredOption("-a, --agent <name=count>", "backend and how many agents (repeatable)", collect)
      .option("--until-empty", "each agent exits when the queue is drained")
      .addHelpText("after", "\nExamples:\n  $ mittelo swarm --agent echo=2 --agent codex=1"),
  ).action(async (flags: HubFlags & { agent: string[]; manifest?: string; untilEmpty?: boolean }) => {
    const { parseAgentSpec, runSwarm } = await import("../swarm.ts");
    const specs = flags.agent.map(parseAgentSpec);
    const args: string[] = ["--manifest", manifestPath(flags.manifest)];
    if (flags.hub) args.push("--hub", flags.hub);
    if (flags.host) args.push("--host", flags.host);
    if (flags.port) args.push("--port", flags.port);
    if (flags.untilEmpty) args.push("--until-empty");
    // The token travels in the agents' environment, never on their command line (which `ps` shows to every user).
    const token = flags.token ?? (process.env.MITTELO_TOKEN || undefined);
    io.exit(await runSwarm(specs, args, io, packageFile("bin", "mittelo.mjs"), token));
  });
}
