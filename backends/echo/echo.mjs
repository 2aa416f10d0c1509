#!/usr/bin/env node
// echo: the deterministic mock backend. Reads the prompt on stdin and answers on stdout:
// the text after "Return exactly:" up to the end of its line when present, otherwise the prompt itself.
// The same rule as src/util/return-exactly.ts (test/util/return-exactly.test.ts runs both on the same prompts).
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  input += chunk;
});
process.stdin.on("end", () => {
  const wanted = /return exactly:\s*([^\r\n]*)/i.exec(input)?.[1]?.trim();
  process.stdout.write(`${wanted ? wanted : input.trim()}\n`);
});
