/**
 * Multi-document YAML (or JSON) with positions: the one reader of manifest text in the project.
 * Documents are composed one at a time (yaml's Parser and Composer are generators), so a caller
 * that consumes `manifestEntries` lazily holds one document at a time, not the whole stream.
 *
 * Every entry is either an object (a mapping with a string `kind`, with the 1-based line where its
 * document starts) or a problem (a YAML error, an alias bomb, or a document that is not a
 * Kubernetes object) with the line it was found at. A `kind: List` document is expanded into its
 * items when `expandLists` is set (the default); the items share the list's document and line.
 */
import { Composer, type Document, LineCounter, Parser } from 'yaml';
import { checkTextSize, checkValue, checkYamlDocument, describeYamlProblem, INPUT_LIMITS } from './input-limits';
import { isObject } from './json';

export type ManifestObject = Record<string, unknown>;

export interface PositionedObject {
  source: string;
  /** 1-based line where the object's document starts */
  line: number;
  manifest: ManifestObject;
  /** the YAML document the object came from (for edits that keep comments and key order) */
  doc: Document;
  /** index in `items` when the object came from a `kind: List` document */
  item?: number;
}

export interface DocumentProblem {
  source: string;
  line: number;
  message: string;
}

export type ManifestEntry = { object: PositionedObject; problem?: undefined } | { problem: DocumentProblem; object?: undefined };

export interface ManifestStreamOptions {
  /** expand `kind: List` documents into their items (default true) */
  expandLists?: boolean;
  /** the most alias expansions one document may make before it is refused (default 100) */
  maxAliasCount?: number;
  /** called with every document, object or not, in order (to write the stream back after edits) */
  onDocument?: (doc: Document) => void;
}

export const NOT_AN_OBJECT = 'not a Kubernetes object (expected a mapping with apiVersion, kind and metadata)';

/** Every object and every problem of `text`, in order, one document at a time. */
export function* manifestEntries(text: string, source: string, options: ManifestStreamOptions = {}): Generator<ManifestEntry> {
  const expandLists = options.expandLists ?? true;
  const lineCounter = new LineCounter();
  const line = (offset: number) => lineCounter.linePos(offset).line;
  // limits (lib/input-limits): size first; duplicate keys are checked in linear time by checkYamlDocument
  const tooBig = checkTextSize(text);
  if (tooBig) return yield { problem: { source, line: 1, message: tooBig.message } };
  const composer = new Composer({ keepSourceTokens: false, uniqueKeys: false });
  let documents = 0;
  for (const doc of composer.compose(new Parser(lineCounter.addNewLine).parse(text))) {
    if (++documents > INPUT_LIMITS.documents)
      return yield { problem: { source, line: line(doc.range[0]), message: `more than ${INPUT_LIMITS.documents} documents in one input` } };
    options.onDocument?.(doc as Document);
    // the object's first line (after a `---` marker and leading comments), else the document's
    const start = line(doc.contents?.range?.[0] ?? doc.range[0]);
    if (doc.errors.length > 0) {
      for (const error of doc.errors) yield { problem: { source, line: line(error.pos[0]), message: describeYamlProblem(error.message) } };
      continue;
    }
    const limit = checkYamlDocument(doc as Document);
    if (limit) {
      yield { problem: { source, line: line(limit.offset ?? doc.range[0]), message: `${limit.path || '(document)'}: ${limit.message}` } };
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: options.maxAliasCount ?? INPUT_LIMITS.aliases });
    } catch (error) {
      yield { problem: { source, line: start, message: describeYamlProblem((error as Error).message) } };
      continue;
    }
    const expanded = checkValue(value);
    if (expanded) {
      yield { problem: { source, line: start, message: `${expanded.path || '(document)'}: ${expanded.message}` } };
      continue;
    }
    if (value === null || value === undefined) continue;
    const listItems = expandLists && isObject(value) && value.kind === 'List' ? value.items : undefined;
    const isList = Array.isArray(listItems);
    const items: unknown[] = isList ? listItems : [value];
    for (const [index, item] of items.entries()) {
      if (!isObject(item) || typeof item.kind !== 'string') {
        yield { problem: { source, line: start, message: isList ? `items[${index}]: ${NOT_AN_OBJECT}` : NOT_AN_OBJECT } };
        continue;
      }
      yield { object: { source, line: start, manifest: item, doc: doc as Document, ...(isList ? { item: index } : {}) } };
    }
  }
}

export interface ManifestText {
  docs: Document[];
  objects: PositionedObject[];
  problems: DocumentProblem[];
}

/** The whole of `text` at once: its documents, objects and problems. */
export function readManifestText(text: string, source: string, options: Omit<ManifestStreamOptions, 'onDocument'> = {}): ManifestText {
  const docs: Document[] = [];
  const objects: PositionedObject[] = [];
  const problems: DocumentProblem[] = [];
  for (const entry of manifestEntries(text, source, { ...options, onDocument: (doc) => docs.push(doc) })) {
    if (entry.object) objects.push(entry.object);
    else problems.push(entry.problem);
  }
  return { docs, objects, problems };
}

/** Input that cannot be used as a whole: `location` is `source:line` (or the source alone). */
export class ManifestInputError extends Error {
  constructor(
    readonly location: string,
    readonly detail: string,
  ) {
    super(`${location}: ${detail}`);
    this.name = 'ManifestInputError';
  }
}

/**
 * For commands that act on every object of one input (troubleshoot, autofix): the first problem
 * stops it, and an input without any object is refused.
 */
export function readManifestsStrict(text: string, source: string, options: Omit<ManifestStreamOptions, 'onDocument'> = {}): ManifestText {
  const result = readManifestText(text, source, options);
  const problem = result.problems[0];
  if (problem) throw new ManifestInputError(`${source}:${problem.line}`, problem.message);
  if (result.objects.length === 0) throw new ManifestInputError(source, 'no Kubernetes object in the input');
  return result;
}
