// The flags that say which hub a client talks to: one declaration for agent, swarm, enqueue, status, stats, retry,
// shutdown and dashboard (hub/config.ts clientEndpoints reads them).
import type { Command } from "commander";

export interface HubFlags {
  hub?: string;
  host?: string;
  port?: string;
  token?: string;
}

/** Adds --host, --port and --token; with `hubList` (how this command uses several hubs) first --hub <host:port,…>. */
export function addHubOptions(command: Command, hubList?: string): Command {
  if (hubList !== undefined) command.option("--hub <host:port,…>", hubList);
  return command
    .option("--host <host>", "hub address (default: $MITTELO_HOST or 127.0.0.1)")
    .option("--port <port>", "hub port (default: $MITTELO_PORT or 8765)")
    .option("--token <token>", "hub token (default: $MITTELO_TOKEN)");
}
