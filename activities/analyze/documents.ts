/**
 * The documents of a manifest text, fast: `pac analyze` reads thousands of files, and composing
 * every document with the `yaml` library's Document model (lib/manifest-stream) costs ~0.5 ms a
 * document — as much as evaluating it. Here the stream is split at document markers (a line that
 * starts with `---` or `...` is always a marker in YAML: no scalar may contain one at column 0) and
 * each document is loaded with js-yaml (YAML 1.2 core schema, like `yaml`'s default), ~3× faster.
 *
 * Anything unusual goes to lib/manifest-stream — the project's reference reader — so problems keep
 * its messages and lines: a document js-yaml refuses (syntax errors, aliases, unknown tags,
 * duplicate keys) or that breaks a limit of lib/input-limits (size, depth, length, `__proto__`) is
 * read again there, and a chunk with directives (`%YAML`) is read there whole. The limits apply to
 * each document; the limit on documents per input does not: a stream of any length is analysed.
 * test/unit/analyze-documents.test.ts checks that both readers give the same objects and lines.
 */
import { load } from 'js-yaml';
import { checkTextSize, checkValue, INPUT_LIMITS } from '../../lib/input-limits';
import { isObject } from '../../lib/json';
import { type DocumentProblem, manifestEntries, NOT_AN_OBJECT } from '../../lib/manifest-stream';

export interface ManifestDocument {
  source: string;
  /** 1-based line where the object's document starts (its first content line) */
  line: number;
  manifest: Record<string, unknown>;
  /** index in `items` when the object came from a `kind: List` document */
  item?: number;
}

export type DocumentEntry = { object: ManifestDocument; problem?: undefined } | { problem: DocumentProblem; object?: undefined };

const MARKER = /^(---|\.\.\.)([ \t\r\n]|$)/;

export interface Chunk {
  text: string;
  /** 1-based line of the chunk's first line in the whole stream */
  firstLine: number;
  /** the chunk starts with directives (`%YAML`, `%TAG`): read by the reference reader */
  directives: boolean;
}

/**
 * Splits a YAML stream, pushed in blocks of any size, into documents: `---` starts the next one,
 * `...` ends the current one; a chunk with a directive line (`%…`, always at column 0) keeps the
 * `---` after it and is read by the reference reader. Only the first character of each line is looked at; a block's text is sliced, not
 * copied line by line, so a stream of any length is split with one block in memory.
 */
export class DocumentSplitter {
  /** text of the current chunk that came in earlier blocks */
  private head = '';
  /** an incomplete last line, waiting for the next block */
  private carry = '';
  private firstLine = 1;
  private line = 1;
  private chunkDirectives = false;
  /** after directive lines: the next `---` belongs to the same chunk */
  private awaitingMarker = false;
  private started = false;

  push(text: string): Chunk[] {
    let data = this.carry + text;
    if (!this.started && data.length > 0) {
      this.started = true;
      if (data.charCodeAt(0) === 0xfeff) data = data.slice(1);
    }
    const last = data.lastIndexOf('\n');
    if (last === -1) {
      this.carry = data;
      return [];
    }
    this.carry = data.slice(last + 1);
    return this.scan(data.slice(0, last + 1));
  }

  end(): Chunk[] {
    const rest = this.carry;
    this.carry = '';
    const out = rest ? this.scan(rest) : [];
    if (this.head !== '') out.push(this.take(''));
    return out;
  }

  private take(text: string): Chunk {
    const chunk = { text: this.head + text, firstLine: this.firstLine, directives: this.chunkDirectives };
    this.head = '';
    this.chunkDirectives = false;
    return chunk;
  }

  private scan(block: string): Chunk[] {
    const out: Chunk[] = [];
    let start = 0;
    let pos = 0;
    const cut = (at: number, next: number, line: number) => {
      const piece = block.slice(start, at);
      if (this.head !== '' || piece !== '') out.push(this.take(piece));
      start = next;
      this.firstLine = line;
    };
    while (pos < block.length) {
      const nl = block.indexOf('\n', pos);
      const next = nl === -1 ? block.length : nl + 1;
      const c = block.charCodeAt(pos);
      if (c === 37) {
        // a directive: this chunk (with whatever precedes it) goes to the reference reader, which
        // knows where documents and directives begin and end; the `---` after it stays in the chunk
        this.chunkDirectives = true;
        this.awaitingMarker = true;
      } else if ((c === 45 || c === 46) && MARKER.test(block.slice(pos, Math.min(next, pos + 4)))) {
        if (c === 46) {
          cut(next, next, this.line + 1);
          this.awaitingMarker = false;
        } else if (this.awaitingMarker) this.awaitingMarker = false;
        else cut(pos, pos, this.line);
      }
      pos = next;
      this.line++;
    }
    this.head += block.slice(start);
    return out;
  }
}

/** The line of a chunk's first content (after a bare `---`, blank lines and comments), 0-based within the chunk. */
function contentLine(text: string): number {
  let pos = 0;
  for (let line = 0; pos < text.length; line++) {
    const end = text.indexOf('\n', pos);
    const raw = text.slice(pos, end === -1 ? text.length : end);
    const body = (MARKER.test(raw) ? raw.slice(3) : raw).trim();
    if (body !== '' && !body.startsWith('#')) return line;
    if (end === -1) break;
    pos = end + 1;
  }
  return 0;
}

/** The objects (List items expanded) and problems of one loaded document value. */
function* entriesOf(value: unknown, source: string, line: number): Generator<DocumentEntry> {
  if (value === null || value === undefined) return;
  const listItems = isObject(value) && value.kind === 'List' ? value.items : undefined;
  const isList = Array.isArray(listItems);
  const items: unknown[] = isList ? listItems : [value];
  for (const [index, item] of items.entries()) {
    if (!isObject(item) || typeof item.kind !== 'string') {
      yield { problem: { source, line, message: isList ? `items[${index}]: ${NOT_AN_OBJECT}` : NOT_AN_OBJECT } };
      continue;
    }
    yield { object: { source, line, manifest: item, ...(isList ? { item: index } : {}) } };
  }
}

/** The reference reader on one chunk, with its lines moved to the chunk's place in the whole text. */
function* slowEntries(chunk: Chunk, source: string): Generator<DocumentEntry> {
  const shift = chunk.firstLine - 1;
  for (const entry of manifestEntries(chunk.text, source)) {
    if (entry.problem) yield { problem: { ...entry.problem, line: entry.problem.line + shift } };
    else {
      const { line, manifest, item } = entry.object;
      yield { object: { source, line: line + shift, manifest, ...(item === undefined ? {} : { item }) } };
    }
  }
}

/**
 * Whether the flow brackets ({ and [) of a text nest deeper than the depth limit, counted without
 * parsing (quotes are not told apart, so this may err towards "deep"; the careful reader then
 * decides). js-yaml recurses once per level: a document thousands of levels deep must never reach it.
 */
export function flowNestingExceeds(text: string, limit = INPUT_LIMITS.depth): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 123 || c === 91) {
      if (++depth > limit) return true;
    } else if ((c === 125 || c === 93) && depth > 0) depth--;
  }
  return false;
}

/** The objects and problems of one document chunk. */
export function* chunkEntries(chunk: Chunk, source: string): Generator<DocumentEntry> {
  if (chunk.directives || checkTextSize(chunk.text) || flowNestingExceeds(chunk.text)) {
    yield* slowEntries(chunk, source);
    return;
  }
  let value: unknown;
  try {
    value = load(chunk.text, { maxAliases: 0 });
  } catch {
    yield* slowEntries(chunk, source);
    return;
  }
  if (checkValue(value)) {
    yield* slowEntries(chunk, source);
    return;
  }
  yield* entriesOf(value, source, chunk.firstLine + contentLine(chunk.text));
}

/** Every object and problem of `text`, in order, one document at a time. */
export function* documentEntries(text: string, source: string): Generator<DocumentEntry> {
  const splitter = new DocumentSplitter();
  for (const chunk of splitter.push(text)) yield* chunkEntries(chunk, source);
  for (const chunk of splitter.end()) yield* chunkEntries(chunk, source);
}

/** The same for a stream of text blocks (a big file read piece by piece): one block and one document in memory at a time. */
export async function* streamDocumentEntries(blocks: AsyncIterable<string>, source: string): AsyncGenerator<DocumentEntry> {
  const splitter = new DocumentSplitter();
  for await (const block of blocks) for (const chunk of splitter.push(block)) yield* chunkEntries(chunk, source);
  for (const chunk of splitter.end()) yield* chunkEntries(chunk, source);
}
