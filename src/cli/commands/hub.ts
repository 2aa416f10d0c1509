import type { Command } from "commander";
import {
  checkBind,
  DEFAULT_HOST,
  DEFAULT_LEASE_SECONDS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MAX_LINE_BYTES,
  DEFAULT_PORT,
  dbSetting,
  type HubConfig,
  parsePort,
  parsePositive,
  urlHost,
} from "../../hub/config.ts";
import { EXIT_OK } from "../../util/errors.ts";
import { watchParent } from "../../util/parent-watch.ts";
import type { CliIO } from "../io.ts";

interface HubOptions {
  host?: string;
  port?: string;
  db?: string;
  dbPool?: string;
  leaseSeconds: string;
  maxAttempts: string;
  restPort?: string;
  restHost?: string;
  token?: string;
  maxLineBytes: string;
  printUrl?: boolean;
  allowInsecureBind?: boolean;
}

export function registerHub(program: Command, io: CliIO): void {
  program
    .command("hub")
    .description("run the task hub: JSONL over TCP (and REST with --rest-port) on a SQLite or PostgreSQL queue")
    .option("--host <host>", `address to listen on (default: $MITTELO_HOST or ${DEFAULT_HOST})`)
    .option("--port <port>", `TCP port, 0 = any free one (default: $MITTELO_PORT or ${DEFAULT_PORT})`)
    .option("--db <path|url>", "SQLite file, or postgres://user@host:port/dbname to share one queue between hubs (default: $MITTELO_DB or .mittelo/mittelo.db)")
    .option("--db-pool <n>", "PostgreSQL: connections in this hub's pool (default 10)")
    .option("--lease-seconds <s>", "default lease length", String(DEFAULT_LEASE_SECONDS))
    .option("--max-attempts <n>", "expired leases before a task is failed", String(DEFAULT_MAX_ATTEMPTS))
    .option("--rest-port <port>", "also serve the REST adapter on this port (0 = any free one)")
    .option("--rest-host <host>", "address of the REST adapter (default: the hub host)")
    .option("--token <token>", "require `auth {token}` / `Authorization: Bearer` (default: $MITTELO_TOKEN)")
    .option("--max-line-bytes <n>", "longest request line (and REST body)", String(DEFAULT_MAX_LINE_BYTES))
    .option("--print-url", "print MITTELO_HUB tcp://host:port (and MITTELO_REST http://host:port) on stdout once listening")
    .option("--allow-insecure-bind", "listen on a non-loopback address without a token (put your own auth proxy in front)")
    .addHelpText(
      "after",
      "\nExamples:\n  $ mittelo hub\n  $ mittelo hub --port 0 --print-url --db /tmp/q.db --rest-port 8766\n  $ mittelo hub --port 8765 --db postgres://mittelo@db.example:5432/mittelo   # run one per machine",
    )
    .action(async (options: HubOptions) => {
      const { startHub } = await import("../../hub/start.ts");
      const config: HubConfig = {
        host: options.host ?? process.env.MITTELO_HOST ?? DEFAULT_HOST,
        port: parsePort(options.port ?? process.env.MITTELO_PORT ?? DEFAULT_PORT, "--port"),
        db: dbSetting(options.db, process.env),
        dbPoolSize: options.dbPool === undefined ? undefined : parsePositive(options.dbPool, "--db-pool", true),
        leaseSeconds: parsePositive(options.leaseSeconds, "--lease-seconds", false),
        maxAttempts: parsePositive(options.maxAttempts, "--max-attempts", true),
        maxLineBytes: parsePositive(options.maxLineBytes, "--max-line-bytes", true),
        token: options.token ?? (process.env.MITTELO_TOKEN || undefined),
        restPort: options.restPort === undefined ? undefined : parsePort(options.restPort, "--rest-port"),
        restHost: options.restHost,
        allowInsecureBind: options.allowInsecureBind,
      };
      checkBind(config);
      const running = await startHub(config);
      const tcpUrl = `tcp://${urlHost(running.tcp.host)}:${running.tcp.port}`;
      const restUrl = running.rest ? `http://${urlHost(running.rest.host)}:${running.rest.port}` : undefined;
      if (options.printUrl) io.stdout(`MITTELO_HUB ${tcpUrl}\n${restUrl ? `MITTELO_REST ${restUrl}\n` : ""}`);
      const { valid, expired } = running.outstanding;
      io.stderr(
        `mittelo hub: listening on ${tcpUrl}${restUrl ? ` and ${restUrl}` : ""} (db ${running.store.location}${config.token ? ", token required" : ""}); ` +
          `${valid + expired} lease(s) outstanding${expired > 0 ? ` (${expired} expired, will be re-leased)` : ""}\n`,
      );
      const onSignal = (signal: NodeJS.Signals) => {
        io.stderr(`mittelo hub: ${signal}, shutting down\n`);
        void running.close();
      };
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
      const unwatch = watchParent(process.env, (pid) => {
        io.stderr(`mittelo hub: the process that started it (pid ${pid}) is gone, shutting down\n`);
        void running.close();
      });
      try {
        await running.closed;
      } finally {
        unwatch();
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
      io.stderr("mittelo hub: stopped\n");
      io.exit(EXIT_OK);
    });
}
