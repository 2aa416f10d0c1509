#!/usr/bin/env node
// echo: the deterministic mock backend. Reads the prompt on stdin and answers on stdout:
// the text after "Return exactly:" when present, otherwise the prompt itself.
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  input += chunk;
});
process.stdin.on("end", () => {
  const match = /return exactly:\s*([\s\S]*)$/i.exec(input.trim());
  process.stdout.write(`${(match ? match[1] : input).trim()}\n`);
});
