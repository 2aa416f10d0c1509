// The `list` reply within a byte budget: tasks read a page at a time with their texts cut (a marker says so, `get`
// returns the full text), and the list stops where the reply would pass --max-reply-bytes (then `more: true`, and
// `list {before: <last task_id>}` reads on).
import type { ListedRow, Store } from "./store/store.ts";
import type { Task, TaskStatus } from "./task.ts";
import { toTask } from "./task.ts";

/** Rows read from the store at once. */
const PAGE_ROWS = 200;

export type CutField = "prompt" | "result" | "error";

/** A task of a list reply: `truncated` names the fields that were cut. */
export type ListedTask = Task & { truncated?: CutField[] };

export interface ListReplyOptions {
  status?: TaskStatus | undefined;
  /** Tasks wanted; Infinity for all. */
  limit: number;
  beforeId?: number | undefined;
  /** Each text is cut to this many UTF-8 bytes. */
  textBytes: number;
  /** The reply's tasks stop before they pass this many bytes of JSON (at least one task is listed). */
  maxBytes: number;
  defaultMaxAttempts: number;
}

/** Newest first within the budget; `more` when the budget, not the limit or the end of the table, stopped it. */
export async function listWithinBudget(store: Store, options: ListReplyOptions): Promise<{ tasks: ListedTask[]; more: boolean }> {
  const tasks: ListedTask[] = [];
  let bytes = 0;
  let beforeId = options.beforeId;
  for (;;) {
    const want = Math.min(PAGE_ROWS, options.limit - tasks.length);
    if (want <= 0) return { tasks, more: false };
    const rows = await store.list({ status: options.status, limit: want, beforeId, textChars: options.textBytes });
    for (const row of rows) {
      const task = listedTask(row, options.textBytes, options.defaultMaxAttempts);
      const size = JSON.stringify(task).length + 1;
      if (tasks.length > 0 && bytes + size > options.maxBytes) return { tasks, more: true };
      tasks.push(task);
      bytes += size;
      beforeId = row.task_id;
    }
    if (rows.length < want) return { tasks, more: false };
  }
}

/** A listed row → the Task of the reply, each text cut to `textBytes` with a marker. */
export function listedTask(row: ListedRow, textBytes: number, defaultMaxAttempts: number): ListedTask {
  const cut: CutField[] = [];
  const prompt = cutText(row.prompt, row.prompt_chars, textBytes);
  if (prompt.cut) cut.push("prompt");
  const json = (field: "result" | "error", text: string | null, chars: number | null): unknown => {
    if (text === null) return null;
    const c = cutText(text, chars ?? text.length, textBytes);
    if (!c.cut) return JSON.parse(text);
    cut.push(field);
    return c.text; // the start of its JSON text, as a string
  };
  const result = json("result", row.result_json, row.result_chars);
  const error = json("error", row.error_json, row.error_chars);
  const task: ListedTask = { ...toTask({ ...row, result_json: null, error_json: null }, defaultMaxAttempts), prompt: prompt.text, result, error };
  if (cut.length > 0) task.truncated = cut;
  return task;
}

/** `text` (the first characters of one of `fullChars`) cut to `maxBytes` of UTF-8, with a marker when cut. */
export function cutText(text: string, fullChars: number, maxBytes: number): { text: string; cut: boolean } {
  const whole = fullChars <= text.length;
  if (whole && text.length * 3 <= maxBytes) return { text, cut: false };
  const bytes = Buffer.from(text, "utf8");
  if (whole && bytes.length <= maxBytes) return { text, cut: false };
  let end = Math.min(maxBytes, bytes.length);
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--; // not inside a character
  return { text: `${bytes.subarray(0, end).toString("utf8")}… [cut: ${fullChars} characters in all; \`get\` returns the full text]`, cut: true };
}
