// Small Markdown helpers shared by the generated docs.

/** Inline code that survives backticks inside. */
export function code(text: string): string {
  const fence = text.includes("`") ? "``" : "`";
  return `${fence}${fence.length > 1 ? " " : ""}${text}${fence.length > 1 ? " " : ""}${fence}`;
}

/** A table cell: pipes escaped, newlines flattened. */
export function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
}

export function mdTable(header: string[], rows: string[][]): string {
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.map(cell).join(" | ")} |`)].join("\n");
}

export const GENERATED = "<!-- Generated from matrix.yaml by `mittelo docs`. Do not edit: edit matrix.yaml and run `npx mittelo docs`. -->";
