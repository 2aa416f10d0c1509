// A manifest must be UTF-8. Anything else (UTF-16/32 from a Windows editor, Latin-1) is refused with the
// encoding named and the position of the first byte that is not UTF-8, instead of being read as replacement characters.
import { isUtf8 } from "node:buffer";
import type { Diagnostic } from "./diagnostic.ts";

export type Decoded = { ok: true; text: string } | { ok: false; diagnostic: Omit<Diagnostic, "file" | "path"> };

const BOMS: Array<[number[], string]> = [
  [[0x00, 0x00, 0xfe, 0xff], "UTF-32 (big-endian)"],
  [[0xff, 0xfe, 0x00, 0x00], "UTF-32 (little-endian)"],
  [[0xfe, 0xff], "UTF-16 (big-endian)"],
  [[0xff, 0xfe], "UTF-16 (little-endian)"],
];

const HINT = "save the file as UTF-8 (in most editors: File → Save with Encoding → UTF-8; or `iconv -f <encoding> -t UTF-8`)";

export function decodeManifest(bytes: Buffer): Decoded {
  for (const [bom, name] of BOMS) {
    if (bom.every((b, i) => bytes[i] === b)) return refuse(`the manifest is encoded as ${name}; it must be UTF-8`, 1, 1);
  }
  const sample = bytes.subarray(0, 512);
  const nulEven = sample.filter((b, i) => i % 2 === 0 && b === 0).length;
  const nulOdd = sample.filter((b, i) => i % 2 === 1 && b === 0).length;
  if (sample.length >= 4 && Math.max(nulEven, nulOdd) > sample.length / 4) {
    return refuse(`the manifest looks encoded as UTF-16 (${nulOdd > nulEven ? "little" : "big"}-endian, no byte-order mark); it must be UTF-8`, 1, 1);
  }
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  const bad = isUtf8(bytes) ? undefined : firstInvalidUtf8(bytes, start);
  if (bad === undefined) return { ok: true, text: bytes.subarray(start).toString("utf8") };
  let line = 1;
  let lineStart = start;
  for (let i = start; i < bad; i++) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  const col = bytes.subarray(lineStart, bad).toString("utf8").length + 1;
  const byte = bytes[bad] as number;
  const guess = byte >= 0x80 ? " (it looks like Latin-1 / Windows-1252)" : "";
  return refuse(`the manifest is not valid UTF-8: byte 0x${byte.toString(16).padStart(2, "0")} at offset ${bad}${guess}`, line, col);
}

function refuse(message: string, line: number, col: number): Decoded {
  return { ok: false, diagnostic: { code: "manifest-encoding", line, col, message, hint: HINT } };
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence; undefined when all are valid. */
export function firstInvalidUtf8(bytes: Uint8Array, from = 0): number | undefined {
  let i = from;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return undefined;
}
