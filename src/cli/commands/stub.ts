import { once } from "node:events";
import { makeRedactor } from "../../util/redact.ts";
import type { Command } from "commander";
import type { AnswerSource } from "../../stub/answer.ts";
import { parseMode } from "../../stub/modes.ts";
import { MODES } from "../../stub/types.ts";
import { EXIT_OK, MitteloError } from "../../util/errors.ts";
import type { CliIO } from "../io.ts";
import { exitNow, stoppable } from "../stop-signal.ts";
import { parseNumberFlag } from "../options/number.ts";

interface StubCliOptions {
  host: string;
  port: string;
  mode: string;
  reply?: string;
  echo?: boolean;
  script?: string;
  log?: string;
  printUrl?: boolean;
  slowMs: string;
  maxBody: string;
  allowInsecureBind?: boolean;
}

async function answerSource(options: StubCliOptions): Promise<AnswerSource> {
  const chosen = [options.reply !== undefined, options.echo === true, options.script !== undefined].filter(Boolean).length;
  if (chosen > 1) throw new MitteloError("stub-option", "--reply, --echo and --script exclude each other", { hint: "pick one answer source" });
  if (options.reply !== undefined) return { kind: "reply", text: options.reply };
  if (options.echo) return { kind: "echo" };
  if (options.script !== undefined) return (await import("../../stub/answer.ts")).loadScript(options.script);
  return { kind: "default" };
}

export function registerStub(program: Command, io: CliIO): void {
  program
    .command("stub")
    .description("run a local model server that imitates the Anthropic, OpenAI (Responses, Chat) and Gemini APIs, for hermetic real-CLI tests")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--port <port>", "port (0 picks a free one)", "0")
    .option("--mode <mode>", `how model calls are answered: ${MODES.join("|")}`, "ok")
    .option("--reply <text>", "always answer this text")
    .option("--echo", "answer the last user message")
    .option("--script <file>", 'JSON or YAML rules [{"match": "regex", "reply": "text"}]; first match wins')
    .option("--log <file>", "append one JSONL line per request (secrets redacted)")
    .option("--print-url", "print `MITTELO_STUB http://HOST:PORT` on stdout once listening")
    .option("--slow-ms <ms>", "delay before the first byte in --mode slow", "2000")
    .option("--max-body <bytes>", "largest accepted request body", String(16 * 1024 * 1024))
    .option("--allow-insecure-bind", "listen on a non-loopback --host (the stub has no authentication)")
    .addHelpText(
      "after",
      `
Default answer: the text after "Return exactly:" in the last user message, else that message.
Runs until SIGINT or SIGTERM. See docs/STUB.md for pointing each real CLI at it.

Examples:
  $ mittelo stub --print-url
  $ mittelo stub --port 8787 --mode 401 --log stub.jsonl
  $ mittelo stub --script test/fixtures/stub/script.yaml`,
    )
    .action(async (options: StubCliOptions) => {
      const { startStub } = await import("../../stub/server.ts");
      const mode = parseMode(options.mode);
      const answer = await answerSource(options);
      const port = parseNumberFlag(options.port, "--port", { integer: true, min: 0, max: 65535 });
      const slowMs = parseNumberFlag(options.slowMs, "--slow-ms", { integer: true, min: 0, max: 3_600_000 });
      const maxBodyBytes = parseNumberFlag(options.maxBody, "--max-body", { integer: true, min: 1, max: 1024 ** 3 });
      // The first signal closes the stub (open requests end, the log is complete), exit 0; a second one exits at once,
      // 128 + the first's number.
      const { value: stub, signal } = await stoppable(
        io,
        "the stub",
        async (stop) => {
          const stub = await startStub({
            host: options.host,
            port,
            mode,
            answer,
            log: options.log,
            slowMs,
            maxBodyBytes,
            redact: makeRedactor(process.env), // the caller's secrets, should a client send one the header rules miss
            allowInsecureBind: options.allowInsecureBind === true,
          });
          if (options.printUrl) io.stdout(`MITTELO_STUB ${stub.url}\n`);
          io.stderr(`mittelo stub: listening on ${stub.url} (mode ${mode}, answer ${answer.kind}); stop with Ctrl-C\n`);
          if (!stop.aborted) await once(stop, "abort");
          await stub.close();
          return stub;
        },
        { forcing: "exiting now, without waiting for the open requests", force: exitNow },
      );
      io.stderr(`mittelo stub: ${signal}: stopped after ${stub.requestCount()} requests\n`);
      io.exit(EXIT_OK);
    });
}
