// Writes the rendered reports of a run. The one place report files are written; each is replaced atomically
// (temp file + rename), so a reader (CI, a dashboard) never sees half a report.
import { appendFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { validatorFor } from "../util/ajv.ts";
import "../util/precompiled/report.ts";
import { makeDir, writeFileAtomic } from "../util/files.ts";
import type { MatrixEvent } from "./events.ts";
import { renderJson } from "./json.ts";
import { renderJunit } from "./junit.ts";
import { renderSummary, renderTickets } from "./markdown.ts";
import type { ReportModel } from "./model.ts";
import { renderTimings } from "./timings.ts";

export interface WrittenReports {
  matrixJson: string;
  summary: string;
  junit: string;
  timings: string;
  /** Problems with the report itself (schema violations): a bug in mittelo, reported, never hidden. */
  problems: string[];
}

export function writeReports(model: ReportModel, outDir: string, options: { junitPath?: string; ticketsPath?: string } = {}): WrittenReports {
  makeDir(outDir, "--out-dir");
  const json = renderJson(model);
  const validate = validatorFor("report.schema.json");
  const problems = validate(json) ? [] : (validate.errors ?? []).map((e) => `matrix.json${e.instancePath}: ${e.message}`);
  const paths = {
    matrixJson: join(outDir, "matrix.json"),
    summary: join(outDir, "summary.md"),
    junit: join(outDir, "junit.xml"),
    timings: join(outDir, "timings.json"),
  };
  const junit = renderJunit(model);
  writeFileAtomic(paths.matrixJson, `${JSON.stringify(json, null, 2)}\n`);
  writeFileAtomic(paths.timings, `${JSON.stringify(renderTimings(model), null, 2)}\n`);
  writeFileAtomic(paths.summary, renderSummary(model));
  writeFileAtomic(paths.junit, junit);
  if (options.junitPath) {
    makeDir(dirname(options.junitPath), "--junit folder");
    writeFileAtomic(options.junitPath, junit);
  }
  if (options.ticketsPath) {
    const tickets = renderTickets(model);
    if (tickets) {
      makeDir(dirname(options.ticketsPath), "--tickets folder");
      appendFileSync(options.ticketsPath, tickets);
    }
  }
  return { ...paths, problems };
}

/** Writes an event stream (a merge's) as events.ndjson; a run's own stream is appended event by event by its sink. */
export function writeEvents(events: readonly MatrixEvent[], outDir: string): string {
  makeDir(outDir, "--out-dir");
  const file = join(outDir, "events.ndjson");
  writeFileAtomic(file, events.map((e) => `${JSON.stringify(e)}\n`).join(""));
  return file;
}
