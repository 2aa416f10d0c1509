// Small commands that talk to a running hub: enqueue, status, stats, retry, shutdown.
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import type { HubClient } from "../../hub/client.ts";
import { clientEndpoints } from "../../hub/config.ts";
import { EXIT_OK, EXIT_USAGE, MitteloError, messageOf } from "../../util/errors.ts";
import type { CliIO } from "../io.ts";
import { addHubOptions, type HubFlags } from "../options/hub.ts";
import { parseNumberFlag, POSITIVE_INTEGER } from "../options/number.ts";

/** Bytes of each prompt, result and error `status` asks for (its table shows 60 characters). */
const STATUS_TEXT_BYTES = 256;

type Endpoint = HubFlags;

function withEndpoint(command: Command): Command {
  return addHubOptions(command, "hubs sharing one queue, tried in order (default: $MITTELO_HUB, else --host/--port)");
}

/**
 * Runs `run` against the first hub that answers. A read (`retry: true`) whose hub goes away is run again on the next;
 * a write is not (its outcome is unknown: it may have been committed), and the error says so.
 */
async function withClient<T>(options: Endpoint, run: (client: HubClient) => Promise<T>, retry = false): Promise<T> {
  const { hubs, token } = clientEndpoints(options, process.env);
  const [{ HubUnavailableError }, { connectFirst }] = await Promise.all([import("../../hub/client.ts"), import("../../hub/failover.ts")]);
  let start = 0;
  for (let round = 0; ; round++) {
    const { client, index } = await connectFirst(hubs, { token }, start);
    try {
      return await run(client);
    } catch (error) {
      if (!(error instanceof HubUnavailableError) || hubs.length === 1) throw error;
      if (!retry || round >= hubs.length) {
        throw new HubUnavailableError(`${error.message}; the request may or may not have been applied (check with \`mittelo status\`)`, error);
      }
      start = index + 1;
    } finally {
      client.close();
    }
  }
}

export function registerHubClient(program: Command, io: CliIO): void {
  registerEnqueue(program, io);
  withEndpoint(
    program
      .command("status")
      .description("list tasks of the hub, newest first")
      .option("--status <status>", "only queued, leased, done or failed")
      .option("--limit <n>", "how many (<= 0: all)", "50")
      .option("--json", "print the hub's reply as JSON"),
  ).action(async (options: Endpoint & { status?: string; limit: string; json?: boolean }) => {
    const limit = parseNumberFlag(options.limit, "--limit", { integer: true });
    const reply = await withClient(
      options,
      async (c) => {
        // The table shows 60 characters of each text: ask for little more (hubs without text_bytes ignore it).
        // Unchecked: the hub judges --status (its refusal names the statuses).
        const list = await c.callUnchecked("list", {
          limit,
          ...(options.status ? { status: options.status } : {}),
          ...(options.json ? {} : { text_bytes: STATUS_TEXT_BYTES }),
        });
        const hubs = await c.call("hubs").catch(() => undefined); // a hub without the hubs feature
        return { ...list, ...(hubs ? { store: hubs.store, hubs: hubs.hubs } : {}) };
      },
      true,
    );
    const { renderHubs, renderTaskTable } = await import("../../hub/render.ts");
    io.stdout(
      options.json
        ? `${JSON.stringify(reply, null, 2)}\n`
        : `${renderTaskTable(reply.tasks, reply.stats, reply.more === true)}${reply.hubs && reply.store ? renderHubs(reply.store, reply.hubs) : ""}`,
    );
    io.exit(EXIT_OK);
  });
  withEndpoint(program.command("stats").description("task counts per status").option("--json", "print JSON")).action(
    async (options: Endpoint & { json?: boolean }) => {
      const reply = await withClient(options, (c) => c.call("stats"), true);
      const { renderStats } = await import("../../hub/render.ts");
      io.stdout(options.json ? `${JSON.stringify(reply.stats)}\n` : renderStats(reply.stats));
      io.exit(EXIT_OK);
    },
  );
  withEndpoint(program.command("retry").description("put every failed task back in the queue").option("--json", "print JSON")).action(
    async (options: Endpoint & { json?: boolean }) => {
      const reply = await withClient(options, (c) => c.call("retry_failed"), true);
      io.stdout(options.json ? `${JSON.stringify(reply)}\n` : `retried ${reply.retried} failed task(s)\n`);
      io.exit(EXIT_OK);
    },
  );
  withEndpoint(program.command("shutdown").description("stop the hub gracefully")).action(async (options: Endpoint) => {
    await withClient(options, (c) => c.call("shutdown"));
    io.stdout("hub is shutting down\n");
    io.exit(EXIT_OK);
  });
}

interface EnqueueOptions extends Endpoint {
  prompt?: string;
  file?: string;
  jsonl?: string;
  backend?: string;
  priority?: string;
  maxAttempts?: string;
  json?: boolean;
}

function registerEnqueue(program: Command, io: CliIO): void {
  withEndpoint(
    program
      .command("enqueue")
      .description("add tasks to the hub; prints their ids")
      .option("--prompt <text>", "one task with this prompt")
      .option("--file <path>", "one task whose prompt is this file's content")
      .option("--jsonl <path>", 'one task per line: {"prompt": …, "backend"?, "priority"?, "max_attempts"?} or a JSON string')
      .option("--backend <name>", "only agents of this backend may lease it")
      .option("--priority <n>", "higher is leased first (default 0)")
      .option("--max-attempts <n>", "expired leases before the task is failed")
      .option("--json", "print the ids as a JSON array")
      .addHelpText("after", "\nExamples:\n  $ mittelo enqueue --prompt hi\n  $ mittelo enqueue --jsonl tasks.jsonl --backend echo"),
  ).action(async (options: EnqueueOptions) => {
    const sources = [options.prompt, options.file, options.jsonl].filter((s) => s !== undefined).length;
    if (sources !== 1) throw new MitteloError("usage", "give exactly one of --prompt, --file or --jsonl", { exitCode: EXIT_USAGE });
    const common: Record<string, unknown> = {};
    if (options.backend !== undefined) common.backend = options.backend;
    if (options.priority !== undefined) common.priority = parseNumberFlag(options.priority, "--priority", { integer: true });
    if (options.maxAttempts !== undefined) common.max_attempts = parseNumberFlag(options.maxAttempts, "--max-attempts", POSITIVE_INTEGER);
    const tasks = await tasksToEnqueue(options, common);
    const ids = await withClient(options, (c) => Promise.all(tasks.map((t) => c.callUnchecked("enqueue", t).then((r) => r.task_id))));
    io.stdout(options.json ? `${JSON.stringify(ids)}\n` : ids.map((id) => `${id}\n`).join(""));
    io.exit(EXIT_OK);
  });
}

async function tasksToEnqueue(options: EnqueueOptions, common: Record<string, unknown>): Promise<Record<string, unknown>[]> {
  if (options.prompt !== undefined) return [{ prompt: options.prompt, ...common }];
  const path = (options.file ?? options.jsonl) as string;
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new MitteloError("usage", `cannot read ${path}: ${messageOf(error)}`);
  }
  if (options.file !== undefined) return [{ prompt: text, ...common }];
  const tasks: Record<string, unknown>[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new MitteloError("usage", `${path}:${i + 1}: not JSON: ${messageOf(error)}`);
    }
    if (typeof value === "string") tasks.push({ prompt: value, ...common });
    else if (typeof value === "object" && value !== null && typeof (value as { prompt?: unknown }).prompt === "string") tasks.push({ ...common, ...value });
    else throw new MitteloError("usage", `${path}:${i + 1}: expected a JSON string or an object with a "prompt" string`);
  });
  if (tasks.length === 0) throw new MitteloError("usage", `${path}: no tasks (empty file)`);
  return tasks;
}
