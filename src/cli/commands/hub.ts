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
  parseSize,
  parseTimeout,
  urlHost,
} from "../../hub/config.ts";
import { DEFAULT_LIMITS, LIST_TEXT_BYTES } from "../../hub/limits.ts";
import { EXIT_OK } from "../../util/errors.ts";
import { watchParent } from "../../util/parent-watch.ts";
import type { CliIO } from "../io.ts";
import { exitNow, stoppable } from "../stop-signal.ts";
import { parseNumberFlag, POSITIVE, POSITIVE_INTEGER } from "../options/number.ts";

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
  maxConnections: string;
  authTimeout: string;
  idleTimeout: string;
  maxBufferedBytes: string;
  maxPromptBytes: string;
  maxResultBytes: string;
  maxReplyBytes: string;
  printUrl?: boolean;
  allowInsecureBind?: boolean;
}

const MiB = 1024 * 1024;

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
    .option("--max-line-bytes <n>", "longest request line (and REST body); longer closes the connection", `${DEFAULT_MAX_LINE_BYTES / MiB}MiB`)
    .option("--max-connections <n>", "TCP connections at once; more get an error line (lowered to fit `ulimit -n`)", String(DEFAULT_LIMITS.maxConnections))
    .option("--auth-timeout <duration>", "with a token: close a connection not authenticated by then (0: never)", `${DEFAULT_LIMITS.authTimeoutMs / 1000}s`)
    .option(
      "--idle-timeout <duration>",
      "close a connection with no request, none in flight and no lease held for this long (0: never)",
      `${DEFAULT_LIMITS.idleTimeoutMs / 1000}s`,
    )
    .option(
      "--max-buffered-bytes <n>",
      "bytes all connections together may hold unanswered; over it, big senders wait",
      `${DEFAULT_LIMITS.maxBufferedBytes / MiB}MiB`,
    )
    .option("--max-prompt-bytes <n>", "longest prompt `enqueue` accepts", `${DEFAULT_LIMITS.maxPromptBytes / MiB}MiB`)
    .option("--max-result-bytes <n>", "longest result (and error) an `ack` may carry, as JSON", `${DEFAULT_LIMITS.maxResultBytes / MiB}MiB`)
    .option(
      "--max-reply-bytes <n>",
      "most one reply holds: `list` stops there (more: true); a lease gives at most this / max prompt tasks",
      `${DEFAULT_LIMITS.maxReplyBytes / MiB}MiB`,
    )
    .option("--print-url", "print MITTELO_HUB tcp://host:port (and MITTELO_REST http://host:port) on stdout once listening")
    .option(
      "--allow-insecure-bind",
      "listen on a non-loopback address without a token, or with one shorter than 16 characters (put your own auth proxy in front)",
    )
    .addHelpText(
      "after",
      `
Memory budget (docs/PROTOCOL.md "Limits"): the sizes take bytes or 64KiB / 8MiB / 1GiB, the durations 500ms / 10s / 5m.
A connection buffers at most one --max-line-bytes of unanswered requests, and all together at most
--max-buffered-bytes (plus ~150 KiB each); a sender over its share is not read until there is room, so small requests
keep flowing. \`list\` cuts prompts, results and errors to ${LIST_TEXT_BYTES} bytes each with a marker (\`get\` returns the full text).`,
    )
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
        dbPoolSize: options.dbPool === undefined ? undefined : parseNumberFlag(options.dbPool, "--db-pool", POSITIVE_INTEGER),
        leaseSeconds: parseNumberFlag(options.leaseSeconds, "--lease-seconds", POSITIVE),
        maxAttempts: parseNumberFlag(options.maxAttempts, "--max-attempts", POSITIVE_INTEGER),
        maxLineBytes: parseSize(options.maxLineBytes, "--max-line-bytes"),
        maxConnections: parseNumberFlag(options.maxConnections, "--max-connections", POSITIVE_INTEGER),
        authTimeoutMs: parseTimeout(options.authTimeout, "--auth-timeout"),
        idleTimeoutMs: parseTimeout(options.idleTimeout, "--idle-timeout"),
        maxBufferedBytes: parseSize(options.maxBufferedBytes, "--max-buffered-bytes"),
        maxPromptBytes: parseSize(options.maxPromptBytes, "--max-prompt-bytes"),
        maxResultBytes: parseSize(options.maxResultBytes, "--max-result-bytes"),
        maxReplyBytes: parseSize(options.maxReplyBytes, "--max-reply-bytes"),
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
      for (const note of running.notes) io.stderr(`mittelo hub: ${note}\n`);
      const l = running.limits;
      io.stderr(
        `mittelo hub: listening on ${tcpUrl}${restUrl ? ` and ${restUrl}` : ""} (db ${running.store.location}${config.token ? ", token required" : ""}); ` +
          `${valid + expired} lease(s) outstanding${expired > 0 ? ` (${expired} expired, will be re-leased)` : ""}; ` +
          `at most ${l.maxConnections} connections, idle timeout ${l.idleTimeoutMs ? `${l.idleTimeoutMs / 1000} s` : "off"}\n`,
      );
      const unwatch = watchParent(process.env, (pid) => {
        io.stderr(`mittelo hub: the process that started it (pid ${pid}) is gone, shutting down\n`);
        void running.close();
      });
      try {
        // The first signal closes the hub gracefully (requests in flight answered, the database closed), exit 0; a
        // second one exits at once, 128 + the first's number: a queue in SQLite or PostgreSQL loses no acked write.
        await stoppable(
          io,
          "the hub",
          (stop) => {
            stop.addEventListener("abort", () => void running.close(), { once: true });
            return running.closed;
          },
          {
            stopping: "stopping the hub; answering the requests in flight, then closing the database",
            forcing: "exiting now, without waiting for the requests in flight",
            force: exitNow,
          },
        );
      } finally {
        unwatch();
      }
      io.stderr("mittelo hub: stopped\n");
      io.exit(EXIT_OK);
    });
}
