/**
 * Loaders for everything in datasets/: each file is validated with its zod schema, and a bad file
 * fails with a DatasetError naming the file (and line) and what was wrong.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { DATASETS_DIR, FIXTURES_DIR, INVENTORY_FILE, KB_DIR, KB_EVAL_FILE, POLICIES_DIR } from './paths';
import {
  type FixtureExpectation,
  fixtureExpectationSchema,
  type KbEvalQuestion,
  type KbFrontMatter,
  kbEvalQuestionSchema,
  kbFrontMatterSchema,
  type Manifest,
  manifestSchema,
  type PolicyMeta,
  policyMetaSchema,
} from './schemas';

export class DatasetError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: ${problems.length === 1 ? problems[0] : `\n  ${problems.join('\n  ')}`}`);
    this.name = 'DatasetError';
  }
}

function zodProblems(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => `${prefix}${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`);
}

/** Parses one record with its schema, or throws a DatasetError naming the file and the line. */
export function parseRecord<S extends z.ZodType>(schema: S, value: unknown, file: string, line?: number): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new DatasetError(line ? `${file}:${line}` : file, zodProblems(parsed.error));
  return parsed.data;
}

/** Reads a JSON Lines file, validating every line with `schema`. */
export function readJsonl<S extends z.ZodType>(file: string, schema: S): z.infer<S>[] {
  const rows: z.infer<S>[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((text, index) => {
      if (text.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        throw new DatasetError(`${file}:${index + 1}`, [`not valid JSON: ${(error as Error).message}`]);
      }
      rows.push(parseRecord(schema, value, file, index + 1));
    });
  return rows;
}

/** The policy metadata (datasets/policies/index.jsonl), checked against the policy folders. */
export function loadPolicyIndex(dir = POLICIES_DIR): PolicyMeta[] {
  const file = join(dir, 'index.jsonl');
  const metas = readJsonl(file, policyMetaSchema);
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const meta of metas) {
    if (seen.has(meta.id)) problems.push(`id "${meta.id}" appears twice`);
    seen.add(meta.id);
    for (const name of ['policy.rego', 'policy_test.rego']) {
      if (!existsSync(join(dir, meta.id, name))) problems.push(`${meta.id}: ${meta.id}/${name} is missing`);
    }
  }
  for (const folder of policyFolders(dir)) {
    if (!seen.has(folder)) problems.push(`folder ${folder}/ has no line in index.jsonl`);
  }
  if (problems.length) throw new DatasetError(file, problems);
  return metas;
}

/** Names of the policy folders (everything but lib/ and hidden folders). */
export function policyFolders(dir = POLICIES_DIR): string[] {
  return readdirSync(dir)
    .filter((name) => !name.startsWith('.') && name !== 'lib' && statSync(join(dir, name)).isDirectory())
    .sort();
}

/** The Rego files that make up the corpus when evaluating (no tests): the library and every policy. */
export function corpusRegoFiles(dir = POLICIES_DIR): string[] {
  return [join(dir, 'lib', 'k8s.rego'), ...policyFolders(dir).map((id) => join(dir, id, 'policy.rego'))];
}

/** Digest of what labels depend on: every corpus Rego file (by name and content) and the inventory. */
export function corpusDigest(files = [...corpusRegoFiles(), INVENTORY_FILE]): string {
  const hash = createHash('sha256');
  for (const file of files)
    hash
      .update(`${file.slice(DATASETS_DIR.length)}\0`)
      .update(readFileSync(file))
      .update('\0');
  return hash.digest('hex');
}

/** Reads a YAML file holding exactly one Kubernetes object. */
export function readManifest(file: string): Manifest {
  const docs = parseAllDocuments(readFileSync(file, 'utf8'));
  if (!Array.isArray(docs)) throw new DatasetError(file, ['not a YAML document']);
  const errors = docs.flatMap((doc) => doc.errors.map((e) => e.message));
  if (errors.length) throw new DatasetError(file, errors);
  const values = docs.map((doc) => doc.toJS()).filter((value) => value !== null && value !== undefined);
  if (values.length !== 1) throw new DatasetError(file, [`expected exactly one object, found ${values.length}`]);
  return parseRecord(manifestSchema, values[0], file);
}

export interface PositiveFixture {
  name: string;
  file: string;
  manifest: Manifest;
}

export interface NegativeFixture extends PositiveFixture {
  expected: FixtureExpectation;
}

function yamlFiles(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => name.endsWith('.yaml'))
        .sort()
    : [];
}

/** Known-good manifests: denied by no policy. */
export function loadPositiveFixtures(dir = join(FIXTURES_DIR, 'positive')): PositiveFixture[] {
  return yamlFiles(dir).map((name) => ({ name: basename(name, '.yaml'), file: join(dir, name), manifest: readManifest(join(dir, name)) }));
}

/** Known-bad manifests, each with the exact set of policies expected to deny it. */
export function loadNegativeFixtures(dir = join(FIXTURES_DIR, 'negative')): NegativeFixture[] {
  return yamlFiles(dir).map((name) => {
    const file = join(dir, name);
    const expectedFile = file.replace(/\.yaml$/, '.expected.json');
    if (!existsSync(expectedFile)) throw new DatasetError(file, [`no expectation file ${basename(expectedFile)} beside it`]);
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(expectedFile, 'utf8'));
    } catch (error) {
      throw new DatasetError(expectedFile, [`not valid JSON: ${(error as Error).message}`]);
    }
    return {
      name: basename(name, '.yaml'),
      file,
      manifest: readManifest(file),
      expected: parseRecord(fixtureExpectationSchema, raw, expectedFile),
    };
  });
}

export interface KbDocument extends KbFrontMatter {
  file: string;
  /** the Markdown after the front matter */
  body: string;
}

/** The knowledge-base documents (every datasets/kb/*.md but README.md), front matter validated. */
export function loadKnowledgeBase(dir = KB_DIR): KbDocument[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.md') && name !== 'README.md')
    .sort()
    .map((name) => {
      const file = join(dir, name);
      const text = readFileSync(file, 'utf8');
      const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
      if (!match) throw new DatasetError(file, ['expected YAML front matter between "---" lines at the top']);
      let raw: unknown;
      try {
        raw = parseYaml(match[1] as string);
      } catch (error) {
        throw new DatasetError(file, [`front matter is not valid YAML: ${(error as Error).message}`]);
      }
      const meta = parseRecord(kbFrontMatterSchema, raw, file);
      if (meta.id !== basename(name, '.md'))
        throw new DatasetError(file, [`id: "${meta.id}" must equal the file name "${basename(name, '.md')}"`]);
      const body = (match[2] as string).trim();
      if (body.length < 500)
        throw new DatasetError(file, [`the document body has ${body.length} characters; expected a real document (≥ 500)`]);
      return { ...meta, file, body };
    });
}

/** The document Q&A evaluation questions (datasets/kb-eval/questions.jsonl); answerable is true unless stated. */
export function loadKbEvalQuestions(file = KB_EVAL_FILE): KbEvalQuestion[] {
  const withDefault = readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => {
      if (line.trim() === '') return line;
      try {
        const value = JSON.parse(line) as Record<string, unknown>;
        return JSON.stringify({ answerable: true, ...value });
      } catch {
        return line;
      }
    })
    .join('\n');
  return withDefault.split('\n').flatMap((text, index) => (text.trim() === '' ? [] : [parseLine(text, index, file)]));
}

function parseLine(text: string, index: number, file: string): KbEvalQuestion {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new DatasetError(`${file}:${index + 1}`, [`not valid JSON: ${(error as Error).message}`]);
  }
  return parseRecord(kbEvalQuestionSchema, value, file, index + 1);
}
