// Evidence as a person reads it on a terminal or in TAP: a list of paths (PATH, a search path) becomes its count, and
// anything long is cut. The full text stays in matrix.json and events.ndjson, and `--verbose` prints it.

const PATH_LIST = /(?:\/[^\s:;,"']*:){2,}\/[^\s:;,"']*/g;
const MAX = 160;

export function shortEvidence(evidence: string | undefined, verbose = false): string | undefined {
  if (evidence === undefined || verbose) return evidence;
  let text = evidence.replace(PATH_LIST, (list: string, at: number, all: string) =>
    /\(\d+ \w+\):?\s*$/.test(all.slice(0, at)) ? "…" : `… (${list.split(":").length} paths)`,
  );
  text = text.replace(/\s*\n\s*/g, " ⏎ ").trim();
  if (text.length > MAX) text = `${text.slice(0, MAX - 1)}…`;
  return text;
}
