/**
 * Reading a user's input file the way every command should: the size limit is checked before the
 * file is read (lib/input-limits), the bytes must be UTF-8 (invalid bytes are refused, not
 * replaced by U+FFFD as readFileSync(path, 'utf8') would), and a NUL byte means a binary file.
 * Every refusal is a ManifestInputError naming `file` or `file:line` (the CLI's exit code 2).
 */
import { readFileSync } from 'node:fs';
import { checkFileSize } from './input-limits';
import { ManifestInputError } from './manifest-stream';

/** 1-based line of a byte offset. */
function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** The first invalid UTF-8 sequence's byte offset, or -1. */
function invalidUtf8At(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    const need = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    for (let k = 1; k <= need; k++) if (((bytes[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    // overlong 3/4-byte forms, UTF-16 surrogates and code points above U+10FFFF
    const second = bytes[i + 1] ?? 0;
    if ((b === 0xe0 && second < 0xa0) || (b === 0xed && second > 0x9f) || (b === 0xf0 && second < 0x90) || (b === 0xf4 && second > 0x8f))
      return i;
    i += need + 1;
  }
  return -1;
}

/** The text of a UTF-8 input (bytes as read from a file or standard input); `source` names it in errors. */
export function decodeTextInput(bytes: Uint8Array, source: string): string {
  const bad = invalidUtf8At(bytes);
  if (bad >= 0)
    throw new ManifestInputError(
      `${source}:${lineAt(bytes, bad)}`,
      `not UTF-8 text (invalid byte 0x${(bytes[bad] as number).toString(16)} at byte ${bad})`,
    );
  const nul = bytes.indexOf(0);
  if (nul >= 0) throw new ManifestInputError(`${source}:${lineAt(bytes, nul)}`, 'a binary file (NUL byte), not text');
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** A text input file, refused before reading when it is over the size limit. */
export function readTextInput(path: string): string {
  const tooBig = checkFileSize(path);
  if (tooBig) throw new ManifestInputError(path, tooBig.message);
  return decodeTextInput(readFileSync(path), path);
}
