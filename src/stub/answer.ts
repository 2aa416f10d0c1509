// The stub's deterministic answer: a fixed text, the last user message echoed, or a script of prompt-regex → reply rules.
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { MitteloError, messageOf } from "../util/errors.ts";
import { returnExactly } from "../util/return-exactly.ts";

export interface ScriptRule {
  match: RegExp;
  /** Reply text; `$1`…`$9` are the match's groups. */
  reply: string;
}

export type AnswerSource =
  | { kind: "default" }
  | { kind: "reply"; text: string }
  | { kind: "echo" }
  | { kind: "script"; rules: ScriptRule[]; fallback: string | undefined };

/** The answer to a prompt. Default: the text after "Return exactly:" when the prompt has it, else the prompt itself. */
export function answerFor(source: AnswerSource, prompt: string): string {
  switch (source.kind) {
    case "reply":
      return source.text;
    case "echo":
      return prompt.trim();
    case "script": {
      for (const rule of source.rules) {
        const m = rule.match.exec(prompt);
        if (m) return rule.reply.replace(/\$(\d)/g, (_, n: string) => m[Number(n)] ?? "");
      }
      return source.fallback ?? defaultAnswer(prompt);
    }
    default:
      return defaultAnswer(prompt);
  }
}

const defaultAnswer = returnExactly;

/**
 * Reads a script file (JSON or YAML): either a list of rules or `{rules: [...], default: "text"}`,
 * each rule `{match: "regex", reply: "text"}` (`flags` optional, default "i").
 */
export function loadScript(file: string): AnswerSource {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, "utf8"));
  } catch (error) {
    throw new MitteloError("stub-script", `cannot read the stub script ${file}: ${messageOf(error)}`, {
      hint: 'write a JSON or YAML list of rules: [{"match": "regex", "reply": "text"}]',
    });
  }
  const list = Array.isArray(doc) ? doc : (doc as { rules?: unknown } | null)?.rules;
  const fallback = Array.isArray(doc) ? undefined : (doc as { default?: unknown } | null)?.default;
  if (!Array.isArray(list)) throw scriptError(file, "expected a list of rules or an object with `rules`");
  if (fallback !== undefined && typeof fallback !== "string") throw scriptError(file, "`default` must be a string");
  const rules = list.map((raw, i) => {
    const rule = raw as { match?: unknown; reply?: unknown; flags?: unknown };
    if (typeof rule?.match !== "string" || typeof rule.reply !== "string") throw scriptError(file, `rule ${i + 1} needs string fields \`match\` and \`reply\``);
    try {
      return { match: new RegExp(rule.match, typeof rule.flags === "string" ? rule.flags : "i"), reply: rule.reply };
    } catch (error) {
      throw scriptError(file, `rule ${i + 1}: invalid regular expression: ${messageOf(error)}`);
    }
  });
  return { kind: "script", rules, fallback };
}

function scriptError(file: string, message: string): MitteloError {
  return new MitteloError("stub-script", `${file}: ${message}`, { hint: 'each rule is {"match": "regex", "reply": "text"}' });
}

/** The text of a message content: a string, or the text parts of a list of blocks (`{type:"text", text}`, `{text}`). */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part) => (typeof part === "string" ? part : typeof part?.text === "string" ? (part.text as string) : ""))
    .filter((text) => text !== "" && !text.trimStart().startsWith("<system-reminder>"))
    .join("\n");
}

/** The text of the last message whose role is one of `roles`. */
export function lastUserText(messages: unknown, roles: string[] = ["user"]): string {
  if (!Array.isArray(messages)) return "";
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i] as { role?: unknown; content?: unknown; parts?: unknown } | null;
    if (message && typeof message.role === "string" && roles.includes(message.role)) {
      const text = textOf(message.content ?? message.parts);
      if (text !== "") return text;
    }
  }
  return "";
}

/** Split an answer into a few deterministic stream chunks, so clients must concatenate deltas. */
export function chunks(answer: string): string[] {
  if (answer.length < 4) return [answer];
  const words = answer.split(/(?<= )/);
  if (words.length < 2) return [answer.slice(0, answer.length >> 1), answer.slice(answer.length >> 1)];
  const half = Math.ceil(words.length / 2);
  return [words.slice(0, half).join(""), words.slice(half).join("")];
}

/** A rough token count for usage fields. */
export function tokens(text: string | number): number {
  const n = typeof text === "number" ? text : text.length;
  return Math.max(1, Math.ceil(n / 4));
}
