// `mittelo report merge`: event streams of shards and machines → one stream → every report, by the same renderers as
// a run → exit 0/1 like a run (2 when the merge is refused). The edge that owns files, stdout and the environment.
import { randomUUID } from "node:crypto";
import { existsSync, realpathSync } from "node:fs";
import { join, resolve } from "node:path";
import { renderJson } from "../report/json.ts";
import { mergeStreams } from "../report/merge.ts";
import { foldEvents } from "../report/model.ts";
import { displayPath, findEventFiles, readEventStream } from "../report/read.ts";
import { renderTap } from "../report/tap.ts";
import { writeEvents, writeReports } from "../report/write.ts";
import { EXIT_FAIL, MitteloError } from "../util/errors.ts";
import { makeRedactor, redactDeep } from "../util/redact.ts";
import { publishToGitHub } from "./github.ts";
import type { CliIO } from "./io.ts";
import { fileTimestamp } from "../util/units.ts";

export interface MergeCommandOptions {
  outDir?: string;
  reporter: "tap" | "json" | "none";
  junit?: string;
  tickets?: string;
}

export async function mergeCommand(paths: string[], options: MergeCommandOptions, io: CliIO, argv: string[]): Promise<number> {
  const files = findEventFiles(paths.map((p) => resolve(p)));
  const outDir = resolve(options.outDir ?? join("reports", "e2e", `${fileTimestamp()}_merged`));
  const target = join(outDir, "events.ndjson");
  const real = (f: string) => (existsSync(f) ? realpathSync(f) : f);
  if (files.some((f) => real(f) === real(target)))
    throw new MitteloError("bad-flag", `--out-dir ${displayPath(outDir)} is one of the folders being merged`, {
      hint: "write the merged report into a folder of its own, e.g. --out-dir reports/merged",
    });
  const show = (file: string) => displayPath(file);
  const streams = files.map(readEventStream);
  const redact = makeRedactor(process.env);
  const events = redactDeep(mergeStreams(streams, { outDir, command: argv.map(redact), runId: randomUUID(), now: new Date().toISOString(), show }), redact);
  writeEvents(events, outDir);
  const model = foldEvents(events);
  const written = writeReports(model, outDir, { junitPath: options.junit && resolve(options.junit), ticketsPath: options.tickets && resolve(options.tickets) });
  if (options.reporter === "tap") io.stdout(renderTap(model));
  else if (options.reporter === "json") io.stdout(`${JSON.stringify(renderJson(model), null, 2)}\n`);
  for (const problem of written.problems) io.stderr(`mittelo: report problem (a bug, please report): ${problem}\n`);
  for (const note of model.start.merged?.notes ?? []) io.stderr(`note: ${note}\n`);
  const end = model.end;
  if (end?.mismatches.length) io.stderr(`\nUnexpected outcomes:\n${end.mismatches.map((m) => `  ${m}`).join("\n")}\n`);
  publishToGitHub(model, written.summary, io);
  const used = model.start.merged?.streams.filter((s) => s.used).length ?? streams.length;
  io.stderr(`merged ${used} stream${used === 1 ? "" : "s"} → ${outDir} (summary.md, matrix.json, junit.xml, events.ndjson, timings.json)\n`);
  return written.problems.length ? EXIT_FAIL : (end?.exitCode ?? EXIT_FAIL);
}
