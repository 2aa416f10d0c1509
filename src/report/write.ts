// Writes the rendered reports of a run. The one place report files are written.
import { appendFileSync, copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { validatorFor } from "../util/ajv.ts";
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
  mkdirSync(outDir, { recursive: true });
  const json = renderJson(model);
  const validate = validatorFor("report.schema.json");
  const problems = validate(json) ? [] : (validate.errors ?? []).map((e) => `matrix.json${e.instancePath}: ${e.message}`);
  const paths = {
    matrixJson: join(outDir, "matrix.json"),
    summary: join(outDir, "summary.md"),
    junit: join(outDir, "junit.xml"),
    timings: join(outDir, "timings.json"),
  };
  writeFileSync(paths.matrixJson, `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(paths.timings, `${JSON.stringify(renderTimings(model), null, 2)}\n`);
  writeFileSync(paths.summary, renderSummary(model));
  writeFileSync(paths.junit, renderJunit(model));
  if (options.junitPath) {
    mkdirSync(dirname(options.junitPath), { recursive: true });
    copyFileSync(paths.junit, options.junitPath);
  }
  if (options.ticketsPath) {
    const tickets = renderTickets(model);
    if (tickets) appendFileSync(options.ticketsPath, tickets);
  }
  return { ...paths, problems };
}

/** Writes an event stream (a merge's) as events.ndjson; a run's own stream is appended event by event by its sink. */
export function writeEvents(events: readonly MatrixEvent[], outDir: string): string {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, "events.ndjson");
  writeFileSync(file, events.map((e) => `${JSON.stringify(e)}\n`).join(""));
  return file;
}
