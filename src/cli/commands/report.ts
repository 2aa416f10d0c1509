import { type Command, Option } from "commander";
import type { CliIO } from "../io.ts";

export function registerReport(program: Command, io: CliIO): void {
  const report = program.command("report").description("work with the reports of matrix runs");
  report
    .command("merge")
    .description(
      "merge the reports of shards (--shard i/n) and of machines (--label) of one plan into one report: TAP, matrix.json, summary.md, junit.xml, events.ndjson, timings.json",
    )
    .argument("<dir...>", "report folders (or events.ndjson files); a folder without events.ndjson is searched below")
    .option("-o, --out-dir <dir>", "where to write the merged reports (default reports/e2e/<UTC ts>_merged/)")
    .addOption(new Option("--reporter <kind>", "what goes to stdout").choices(["tap", "json", "none"]).default("tap"))
    .option("--junit <path>", "also write junit.xml here")
    .option("--tickets <path>", "append a ticket block per failure to this file")
    .addHelpText(
      "after",
      [
        "",
        "Refuses (exit 2): streams of other manifests or plans, a run given twice, a missing shard, shards of different splits,",
        "a run that did not finish, a stream of a newer mittelo. A shard run twice: the latest attempt wins (the report says so).",
        "Exit 0 when every merged outcome matches its expectation, 1 otherwise.",
        "",
        "Examples:",
        "  $ mittelo report merge reports/shard-1 reports/shard-2 reports/shard-3 --out-dir reports/merged",
        "  $ mittelo report merge artifacts/ --out-dir reports/merged   # every events.ndjson below artifacts/",
        "  $ mittelo matrix --shard 1/3 --timings reports/merged/timings.json   # the next split, balanced by duration",
      ].join("\n"),
    )
    .action(async (dirs: string[], options: { outDir?: string; reporter: "tap" | "json" | "none"; junit?: string; tickets?: string }) => {
      const { mergeCommand } = await import("../merge-session.ts");
      io.exit(await mergeCommand(dirs, options, io, ["mittelo", "report", "merge", ...process.argv.slice(4)]));
    });
}
