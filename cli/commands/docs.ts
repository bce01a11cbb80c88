/**
 * pac docs — the knowledge base's documents: add (Markdown, text, HTML converted to Markdown),
 * list, rm. Every file is checked (type, size, UTF-8, not binary, not empty) before anything is
 * indexed, so a bad file in a directory leaves the index as it was.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CliUsageError, defineCommand, EXIT } from '../common';
import { withQa } from './ask';

/** at most this many files per `pac docs add` */
const MAX_FILES = 500;

type Formats = typeof import('../../activities/qa/formats');

/** The files a path names: the file itself, or a directory's supported files (recursively, hidden entries skipped). */
function filesOf(path: string, formats: Formats): string[] {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch {
    throw new CliUsageError(`${path}: no such file or directory`);
  }
  if (!stat.isDirectory()) return [path];
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && formats.SUPPORTED_EXTENSIONS.some((ext) => entry.name.toLowerCase().endsWith(ext))) found.push(full);
    }
  };
  walk(path);
  if (found.length === 0)
    throw new CliUsageError(`${path}: a directory with no documents to add (${formats.SUPPORTED_EXTENSIONS.join(', ')})`);
  return found;
}

/** Reads and converts every file; throws a usage error naming the first bad one before anything is indexed. */
async function readDocuments(paths: string[]): Promise<{ file: string; name: string; text: string }[]> {
  const formats = await import('../../activities/qa/formats');
  const { sourceIdOf } = await import('../../activities/qa/store');
  const { readUserText } = await import('../read-user-text');
  const files = paths.flatMap((p) => filesOf(p, formats));
  if (files.length > MAX_FILES) throw new CliUsageError(`${files.length} files given; at most ${MAX_FILES} per pac docs add`);
  const bySource = new Map<string, string>();
  return files.map((file) => {
    try {
      const format = formats.documentFormatOf(file);
      const text = formats.indexableText(file, readUserText(file), format);
      const name = file.split(/[\\/]/).pop() as string;
      const source = sourceIdOf(name);
      const other = bySource.get(source);
      if (other) throw new CliUsageError(`${file}: the same document id "${source}" as ${other}; rename one of them`);
      bySource.set(source, file);
      return { file, name, text };
    } catch (error) {
      if (error instanceof formats.DocumentFormatError) throw new CliUsageError(error.message);
      throw error;
    }
  });
}

export const command = defineCommand({
  usage: 'pac docs add <file|dir>... | pac docs list | pac docs rm <id|file>... [--json]',
  description:
    'The documents of the knowledge base that `pac ask` and POST /v1/query answer from (Weaviate, PAC_QA_COLLECTION).\n' +
    '  add   index Markdown (.md, .markdown), text (.txt) and HTML (.html, .htm; converted to Markdown, headings kept\n' +
    '        for citations) files, or every such file under a directory; a file whose id (name without extension)\n' +
    '        is indexed already replaces it; an unchanged file is left as it is\n' +
    '  list  every document: id, file, chunks, title\n' +
    '  rm    remove documents by id or file name (a removed shipped document is not indexed again on first use)\n' +
    'The shipped knowledge base (datasets/kb) is indexed on first use.',
  options: {},
  exitCodes: { ok: 'done' },
  examples: ['pac docs add runbooks/', 'pac docs add notes.md page.html', 'pac docs list', 'pac docs rm notes'],
  async run({ positionals, config, print }) {
    const [action, ...args] = positionals;
    if (action === 'list') {
      if (args.length > 0) throw new CliUsageError('pac docs list takes no arguments');
      const docs = await withQa(await config(), (qa) => qa.documents());
      const width = Math.max(2, ...docs.map((d) => d.source.length));
      const text = docs.length
        ? [
            `${'id'.padEnd(width)}  chunks  file / title`,
            ...docs.map((d) => `${d.source.padEnd(width)}  ${String(d.chunks).padStart(6)}  ${d.file} — ${d.title}`),
          ].join('\n')
        : 'no documents (add some with: pac docs add <file|dir>)';
      print({ documents: docs }, text);
      return EXIT.ok;
    }
    if (action === 'add') {
      if (args.length === 0) throw new CliUsageError('pac docs add needs at least one file or directory');
      const documents = await readDocuments(args);
      const cfg = await config();
      const { secretRedactor } = await import('../../lib/redact');
      const { secretValues } = await import('../../infra/config');
      const redact = secretRedactor(secretValues(cfg));
      const results = await withQa(cfg, async (qa) => {
        const stored = new Map((await qa.documents()).map((d) => [d.source, d]));
        const out = [];
        for (const doc of documents) {
          const text = redact(doc.text);
          const plan = qa.kb.plan({ name: doc.name, text });
          const have = stored.get(plan.source);
          if (have && have.digest === plan.digest && have.chunks === plan.chunks.length && have.file === plan.file) {
            out.push({ file: doc.file, source: plan.source, title: plan.title, chunks: plan.chunks.length, removed: 0, unchanged: true });
            continue;
          }
          const result = await qa.ingest({ name: doc.name, text });
          out.push({
            file: doc.file,
            source: result.source,
            title: result.title,
            chunks: result.chunks,
            removed: result.removed,
            unchanged: false,
          });
        }
        return out;
      });
      const text = results
        .map((r) =>
          r.unchanged
            ? `unchanged ${r.source} (${r.file})`
            : `added ${r.source} (${r.file}): ${r.chunks} chunk(s)${r.removed ? `, replaced ${r.removed} older chunk(s)` : ''} — ${r.title}`,
        )
        .join('\n');
      print({ documents: results }, text);
      return EXIT.ok;
    }
    if (action === 'rm') {
      if (args.length === 0) throw new CliUsageError('pac docs rm needs at least one document id or file name (see: pac docs list)');
      const { sourceIdOf } = await import('../../activities/qa/store');
      const ids = args.map((a) => {
        try {
          return sourceIdOf(a);
        } catch (error) {
          throw new CliUsageError((error as Error).message);
        }
      });
      const removed = await withQa(await config(), async (qa) => {
        const known = new Set((await qa.documents()).map((d) => d.source));
        const unknown = ids.filter((id) => !known.has(id));
        if (unknown.length > 0)
          throw new CliUsageError(
            `no document with the id ${unknown.map((id) => `"${id}"`).join(', ')} (see: pac docs list); nothing removed`,
          );
        const out = [];
        for (const id of ids) out.push({ source: id, ...(await qa.remove(id)) });
        return out;
      });
      print(
        { removed },
        removed
          .map(
            (r) =>
              `removed ${r.source}: ${r.chunks} chunk(s)${r.shipped ? ' (a shipped document: it stays out until you add it again)' : ''}`,
          )
          .join('\n'),
      );
      return EXIT.ok;
    }
    throw new CliUsageError(
      action
        ? `unknown action "${action}": expected add, list or rm (see: pac docs --help)`
        : 'expected add, list or rm (see: pac docs --help)',
    );
  },
});
