// docs/BACKENDS.md: per backend, what it needs, how to install and log in, how it is run, how it fails.
import { modelEnvName } from "../manifest/plan-backend.ts";
import { resolveAlias } from "../manifest/plan.ts";
import type { Backend, MitteloBackendMatrixManifest as Manifest } from "../manifest/schema-types.ts";
import { shellQuote } from "../util/shell-quote.ts";
import { code, GENERATED, mdTable } from "./markdown.ts";

const SAMPLE_PROMPT = "Return exactly: mittelo smoke ok";

export function renderBackendsMd(manifest: Manifest): string {
  const names = Object.keys(manifest.backends);
  const out = [
    "# Backends",
    "",
    GENERATED,
    "",
    "Every backend in `matrix.yaml`. Check one with `npx mittelo backend-check --backend NAME`; check them all with `npx mittelo doctor`.",
    "",
    mdTable(
      ["backend", "what", "binaries", "locked version"],
      names.map((name) => {
        const b = resolveAlias(manifest, name);
        return [`[${name}](#${name})`, b.description ?? "", binariesOf(b) || "—", b.version?.lock ?? "—"];
      }),
    ),
    "",
  ];
  for (const name of names) out.push(...section(manifest, name), "");
  return `${out.join("\n").trimEnd()}\n`;
}

/** What preflight checks: the argv's program first (it is what runs), then requires.binaries. */
function binariesOf(b: Backend): string {
  const declared = b.requires?.binaries ?? [];
  const program = b.invoke?.argv?.[0];
  const all = program && !program.includes("{") && !declared.includes(program) ? [program, ...declared] : declared;
  return all.map((item) => (Array.isArray(item) ? item.map(code).join(" or ") : code(item))).join(", ");
}

function section(manifest: Manifest, name: string): string[] {
  const b = resolveAlias(manifest, name);
  const own = manifest.backends[name];
  const r = b.requires ?? {};
  const lines = [`## ${name}`, ""];
  if (b.description) lines.push(b.description, "");
  if (own?.alias_of) lines.push(`Alias of ${code(own.alias_of)}: inherits its settings; the fields below include this entry's overrides.`, "");

  const prereq: string[] = [];
  if (binariesOf(b)) prereq.push(`binaries on PATH: ${binariesOf(b)}`);
  if (r.platform?.length || r.arch?.length) prereq.push(`platform: ${[r.platform?.join(" or "), r.arch?.join(" or ")].filter(Boolean).join(", ")}`);
  if (r.env_all_of?.length) prereq.push(`environment (all): ${r.env_all_of.map(code).join(", ")}`);
  if (r.url) prereq.push(`a service answering at ${code(r.url)}`);
  if (b.invoke?.builtin) prereq.push("nothing: built in");
  lines.push("**Prerequisites**", "", ...(prereq.length ? prereq.map((p) => `- ${p}`) : ["- none declared"]), "");

  if (b.install) lines.push("**Install**", "", "```sh", b.install, "```", "");
  const auth: string[] = [];
  if (r.env_any_of?.length) auth.push(`any of ${r.env_any_of.map(code).join(", ")} set`);
  if (r.auth_files?.length) auth.push(`or a login file under HOME: ${r.auth_files.map((f) => code(`~/${f}`)).join(", ")}`);
  if (r.auth_command) auth.push(`checked with ${code(r.auth_command.argv.join(" "))}`);
  if (b.pass_env?.length) auth.push(`also given these secrets (pass_env; every other secret is withheld): ${b.pass_env.map(code).join(", ")}`);
  if (b.login || auth.length) {
    lines.push("**Auth / login**", "");
    if (b.login) lines.push(`- ${code(b.login)}`);
    for (const a of auth) lines.push(`- ${a}`);
    lines.push(
      `- ${r.auth_required ? "required: no detectable auth is a preflight fail (SKIP auth)" : "not detectable → preflight warn (the CLI may be logged in some other way)"}`,
      "",
    );
  }

  const modelEnv = b.model?.env ?? modelEnvName(name);
  lines.push("**Model**", "", `${code(modelEnv)} (default: ${b.model?.default ? code(b.model.default) : "the CLI's own"})`, "");
  if (b.version) {
    const v = b.version;
    lines.push(
      "**Version lock**",
      "",
      `${code(v.command.join(" "))} → locked ${code(v.lock ?? "any")}${v.verified ? `, verified ${v.verified}` : ""}${v.package ? ` (npm ${code(v.package)})` : ""}`,
      "",
    );
  }
  if (b.help) lines.push("**Help flags relied on**", "", `${b.help.flags.map(code).join(", ")} in ${code(b.help.command.join(" "))}`, "");

  lines.push("**Known-good command**", "", "```sh", knownGood(name, b), "```", "");
  const out = b.output;
  if (out?.extract && out.extract !== "text") {
    lines.push(
      `Answer: ${out.extract} field ${code(out.field ?? "?")}${out.error_field ? `; a truthy ${code(out.error_field)} marks an error whatever the exit code` : ""}.`,
      "",
    );
  }
  if (b.failures?.length) {
    lines.push(
      "**Known failure modes**",
      "",
      mdTable(
        ["output matches", "→ SKIP reason", "next step"],
        b.failures.map((f) => [code(f.pattern) + (f.exit_code !== undefined ? ` (exit ${f.exit_code})` : ""), f.reason, f.hint ?? ""]),
      ),
      "",
    );
  }
  if (b.notes) lines.push(`**Notes.** ${b.notes.trim()}`, "");
  lines.push(`Check: ${code(`npx mittelo backend-check --backend ${name}`)}`);
  return lines;
}

/** The command a person can paste to run this backend once by hand. */
function knownGood(name: string, b: Backend): string {
  const argv = b.invoke?.argv;
  if (!argv) return `echo ${shellQuote(SAMPLE_PROMPT)} | ${b.invoke?.wrapper ?? `backends/${name}/run`}`;
  const vars: Record<string, string> = { model: b.model?.default || "MODEL", prompt: SAMPLE_PROMPT, workdir: "." };
  const args = argv.map((a) => shellQuote(a.replace(/\{([a-z_]+)\}/g, (whole, key: string) => vars[key] ?? whole)));
  return (b.invoke?.prompt ?? "stdin") === "arg" ? `${args.join(" ")} < /dev/null` : `echo ${shellQuote(SAMPLE_PROMPT)} | ${args.join(" ")}`;
}
