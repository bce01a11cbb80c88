/**
 * The inputs of an analysis: files, directories (every *.yaml, *.yml and *.json below, sorted;
 * hidden folders and node_modules are not entered) and standard input ("-"). Big files are read
 * in blocks, so memory does not grow with the size of one file.
 */
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ManifestInputError } from '../../lib/manifest-stream';
import { decodeTextInput } from '../../lib/read-input';
import { type DocumentEntry, documentEntries, streamDocumentEntries } from './documents';
import { AnalyzeInputError } from './policies';

export interface InputSource {
  /** the path as given or found below a directory, "-" for standard input */
  source: string;
  /** found by walking a directory: a file holding no Kubernetes object is skipped there, not an error */
  fromDirectory: boolean;
  /** bytes, when known (not for standard input) */
  size?: number;
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;
/** files up to this size are read at once; bigger ones in blocks of this size */
const BLOCK_BYTES = 1 << 20;

/** The sources named on the command line, directories expanded. A path that does not exist is an input error. */
export function listSources(paths: readonly string[]): InputSource[] {
  const out: InputSource[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && entry.name !== 'node_modules') walk(path);
      } else if (MANIFEST_FILE.test(entry.name)) {
        const stat = statSync(path, { throwIfNoEntry: false });
        if (stat?.isFile()) out.push({ source: path, fromDirectory: true, size: stat.size });
      }
    }
  };
  for (const path of paths) {
    if (path === '-') {
      out.push({ source: '-', fromDirectory: false });
      continue;
    }
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) throw new AnalyzeInputError(`${path}: no such file or directory`);
    if (stat.isDirectory()) walk(path);
    else out.push({ source: path, fromDirectory: false, size: stat.size });
  }
  return out;
}

/** UTF-8 text blocks of a byte stream: invalid bytes are refused (never replaced by U+FFFD). */
async function* textBlocks(stream: NodeJS.ReadableStream, source: string): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let line = 1;
  for await (const block of stream) {
    const bytes = typeof block === 'string' ? Buffer.from(block) : block;
    let text: string;
    try {
      text = decoder.decode(bytes, { stream: true });
    } catch {
      throw new ManifestInputError(`${source}:${line}`, 'not UTF-8 text (an invalid byte sequence)');
    }
    if (text.includes('\0')) throw new ManifestInputError(`${source}:${line}`, 'a binary file (NUL byte), not text');
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) line++;
    yield text;
  }
  const rest = (() => {
    try {
      return decoder.decode();
    } catch {
      throw new ManifestInputError(`${source}:${line}`, 'not UTF-8 text (the input ends inside a character)');
    }
  })();
  if (rest) yield rest;
}

/** The documents of one source, as they are read. An unreadable file is one problem (line 0). */
export async function* sourceEntries(
  input: InputSource,
  stdin: () => NodeJS.ReadableStream = () => process.stdin,
): AsyncGenerator<DocumentEntry> {
  try {
    if (input.source === '-') {
      yield* streamDocumentEntries(textBlocks(stdin(), '-'), '-');
    } else if ((input.size ?? 0) <= BLOCK_BYTES) {
      yield* documentEntries(decodeTextInput(readFileSync(input.source), input.source), input.source);
    } else {
      yield* streamDocumentEntries(textBlocks(createReadStream(input.source, { highWaterMark: BLOCK_BYTES }), input.source), input.source);
    }
  } catch (error) {
    if (error instanceof ManifestInputError) {
      const [, line] = /:(\d+)$/.exec(error.location) ?? [];
      yield { problem: { source: input.source, line: Number(line ?? 0), message: error.detail } };
      return;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (!code) throw error;
    yield { problem: { source: input.source, line: 0, message: `cannot read the file (${code}): ${(error as Error).message}` } };
  }
}
