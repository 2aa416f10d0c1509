// Parses TAP with tap-parser in strict mode and returns its final result.
import { Parser } from "tap-parser";

export interface TapSummary {
  ok: boolean;
  count: number;
  pass: number;
  fail: number;
  skip: number;
  todo: number;
  failures: unknown[];
  bailout: boolean;
  parseErrors: string[];
}

export function parseTap(text: string): Promise<TapSummary> {
  return new Promise((resolve) => {
    const parseErrors: string[] = [];
    const parser = new Parser({ strict: true }, (result) => {
      resolve({
        ok: result.ok,
        count: result.count,
        pass: result.pass,
        fail: result.fail,
        skip: result.skip,
        todo: result.todo,
        failures: result.failures,
        bailout: Boolean(result.bailout),
        parseErrors,
      });
    });
    parser.on("extra", (line: string) => {
      if (line.trim()) parseErrors.push(`extra: ${line}`);
    });
    parser.end(text);
  });
}
