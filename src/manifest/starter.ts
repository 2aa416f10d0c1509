// The starter matrix.yaml that `mittelo init` writes: the shipped manifest's text (its comments, notes and failure
// patterns kept), with every backend that cannot run here commented out under a line saying why and how to install
// it, and the pairs that need such a backend commented out too. Pure: text and facts in, text out.

export interface StarterBackend {
  /** The backend can run here (its CLI is on PATH, the platform fits). */
  active: boolean;
  /** Why not, e.g. "codex not found on PATH". */
  why?: string;
  /** The manifest's install hint. */
  install?: string;
}

export interface StarterOptions {
  /** What editors use to find the schema: the first line `# yaml-language-server: $schema=<schemaRef>`. */
  schemaRef: string;
  version: string;
  /** Per backend of the shipped manifest (a backend missing here stays active). */
  backends: Record<string, StarterBackend>;
}

const comment = (line: string, indent: string) => (line.trim() === "" ? line : `${indent}# ${line.slice(indent.length)}`);

export function renderStarter(shipped: string, options: StarterOptions): string {
  const lines = shipped.replace(/\r\n/g, "\n").split("\n");
  if (lines[0]?.startsWith("# yaml-language-server:")) lines.shift();
  const out: string[] = [
    `# yaml-language-server: $schema=${options.schemaRef}`,
    `# Written by \`mittelo init\` (mittelo ${options.version}). Backends whose CLI was not found here are commented out,`,
    "# with how to install them: install one, uncomment its block, run `npx mittelo validate`, then `npx mittelo matrix`.",
    "# Every key is described in the schema above (editors complete and check it).",
  ];
  const inactive = new Set(Object.entries(options.backends).flatMap(([name, b]) => (b.active ? [] : [name])));
  let section = "";
  let backend: string | undefined;
  for (const line of lines) {
    const top = /^([a-z_]+):/.exec(line);
    if (top) {
      section = top[1] as string;
      backend = undefined;
      out.push(line);
      continue;
    }
    if (section === "backends") {
      const key = /^ {2}([a-z][a-z0-9_-]*):/.exec(line);
      if (key) {
        backend = key[1] as string;
        const info = options.backends[backend];
        if (info && !info.active) {
          const install = info.install ? ` Install: ${info.install}, then uncomment the block below.` : " Uncomment the block below once it is.";
          out.push(`  # ${backend} is off: ${info.why ?? "its CLI was not found"}.${install}`);
        }
      }
      out.push(backend && inactive.has(backend) ? comment(line, "  ") : line);
      continue;
    }
    if (section === "smoke") {
      const pair = /^\s*- \{.*\ba: ([a-z][a-z0-9_-]*),.*\bb: ([a-z][a-z0-9_-]*)\b/.exec(line);
      const needs = pair ? [pair[1], pair[2]].filter((name): name is string => name !== undefined && inactive.has(name)) : [];
      out.push(needs.length ? `${comment(line, "    ")}   # needs ${[...new Set(needs)].join(" and ")}` : line);
      continue;
    }
    out.push(line);
  }
  return `${out.join("\n").replace(/\n*$/, "")}\n`;
}
