/**
 * Loaders for everything in datasets/: each file is validated with its zod schema, and a bad file
 * fails with a DatasetError naming the file (and line) and what was wrong.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type Document, LineCounter, parseAllDocuments, parseDocument, parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DATASETS_DIR, FIXTURES_DIR, INVENTORY_FILE, KB_DIR, KB_EVAL_FILE, POLICIES_DIR } from './paths';
import {
  type FixtureExpectation,
  type KbEvalQuestion,
  type KbFrontMatter,
  kbEvalQuestionSchema,
  kbFrontMatterSchema,
  type Manifest,
  manifestSchema,
  type PolicyFile,
  type PolicyMeta,
  policyFileSchema,
  policyMetaSchema,
  sampleExpectationsSchema,
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

/** The line (1-based) of the YAML node at `path`, or of its nearest existing parent. */
function lineOf(doc: Document, counter: LineCounter, path: readonly PropertyKey[]): number {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true) as { range?: [number, number, number] } | undefined;
    if (node?.range) return counter.linePos(node.range[0]).line;
  }
  return 1;
}

/**
 * Parses one YAML document and validates it with `schema`; each problem names the file, the line
 * and the path of the bad value ("params.yaml:7: pss-host-ports.allowed_host_ports.0: …").
 */
export function parseYamlRecord<S extends z.ZodType>(
  schema: S,
  text: string,
  file: string,
  describePath: (path: readonly PropertyKey[]) => string = (path) => path.join('.'),
): z.infer<S> {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, prettyErrors: false });
  if (doc.errors.length)
    throw new DatasetError(
      file,
      doc.errors.map((e) => `${file}:${counter.linePos(e.pos[0]).line}: not valid YAML: ${e.message.split('\n')[0]}`),
    );
  const parsed = schema.safeParse(doc.toJS() ?? {});
  if (parsed.success) return parsed.data;
  throw new DatasetError(
    file,
    parsed.error.issues.map((issue) => {
      // an unknown key is reported at the key itself
      const path = issue.code === 'unrecognized_keys' && issue.keys.length === 1 ? [...issue.path, issue.keys[0] as string] : issue.path;
      return `${file}:${lineOf(doc, counter, path)}: ${path.length ? `${describePath(path)}: ` : ''}${issue.message}`;
    }),
  );
}

/** Names of the policy folders (everything but lib/ and hidden folders). */
export function policyFolders(dir = POLICIES_DIR): string[] {
  return readdirSync(dir)
    .filter((name) => !name.startsWith('.') && name !== 'lib' && statSync(join(dir, name)).isDirectory())
    .sort();
}

/** The index line of a policy.yaml: its fields, the package, and the parameters as a list too. */
export function policyMetaOf(file: PolicyFile): PolicyMeta {
  const { id, parameters, ...fields } = file;
  return {
    id,
    package: `kpc.policies.${id.replaceAll('-', '_')}`,
    ...fields,
    parameters: Object.entries(parameters?.properties ?? {}).map(([name, p]) => ({
      name,
      description: p.description,
      default: (p as { default?: unknown }).default,
    })),
    ...(parameters ? { parameterSchema: parameters } : {}),
  };
}

/** Reads datasets/policies/<id>/policy.yaml of every folder: the one source of the policy metadata. */
export function loadPolicyFolders(dir = POLICIES_DIR): PolicyMeta[] {
  return policyFolders(dir).map((id) => {
    const file = join(dir, id, 'policy.yaml');
    if (!existsSync(file)) throw new DatasetError(join(dir, id), ['policy.yaml is missing']);
    const policy = parseYamlRecord(policyFileSchema, readFileSync(file, 'utf8'), file);
    const problems: string[] = [];
    if (policy.id !== id) problems.push(`id: "${policy.id}" must equal the folder name "${id}"`);
    for (const name of ['policy.rego', 'policy_test.rego']) if (!existsSync(join(dir, id, name))) problems.push(`${id}/${name} is missing`);
    for (const [name, schema] of Object.entries(policy.parameters?.properties ?? {})) {
      const checked = z.fromJSONSchema(schema as never).safeParse((schema as { default?: unknown }).default);
      if (!checked.success)
        problems.push(`parameters.properties.${name}.default does not match its own schema: ${checked.error.issues[0]?.message}`);
    }
    if (problems.length) throw new DatasetError(file, problems);
    return policyMetaOf(policy);
  });
}

/** index.jsonl as generated from the policy folders: one JSON line per policy, sorted by id. */
export function policyIndexText(dir = POLICIES_DIR): string {
  return loadPolicyFolders(dir)
    .map((meta) => `${JSON.stringify(meta)}\n`)
    .join('');
}

/** The policy metadata (datasets/policies/index.jsonl, generated from the folders), checked against the folders. */
export function loadPolicyIndex(dir = POLICIES_DIR): PolicyMeta[] {
  const file = join(dir, 'index.jsonl');
  const metas = readJsonl(file, policyMetaSchema);
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const meta of metas) {
    if (seen.has(meta.id)) problems.push(`id "${meta.id}" appears twice`);
    seen.add(meta.id);
    for (const name of ['policy.rego', 'policy_test.rego', 'policy.yaml']) {
      if (!existsSync(join(dir, meta.id, name))) problems.push(`${meta.id}: ${meta.id}/${name} is missing`);
    }
  }
  for (const folder of policyFolders(dir)) {
    if (!seen.has(folder)) problems.push(`folder ${folder}/ has no line in index.jsonl: run npm run datasets:index`);
  }
  if (problems.length) throw new DatasetError(file, problems);
  return metas;
}

/**
 * The Rego files that make up the corpus when evaluating (no tests): the library and every policy,
 * or only the policies named in `ids`.
 */
export function corpusRegoFiles(dir = POLICIES_DIR, ids?: readonly string[]): string[] {
  const folders = policyFolders(dir);
  const unknown = (ids ?? []).filter((id) => !folders.includes(id));
  if (unknown.length) throw new DatasetError(dir, [`no policy folder for ${unknown.join(', ')}`]);
  return [join(dir, 'lib', 'k8s.rego'), ...(ids ? [...new Set(ids)].sort() : folders).map((id) => join(dir, id, 'policy.rego'))];
}

/**
 * Every Rego file of the corpus with the tests (lib/*.rego and each folder's policy.rego and
 * policy_test.rego): what `opa check` and `opa test` take. Not the folder itself: OPA would load the
 * samples and policy.yaml files beside the Rego as data documents.
 */
export function corpusTestFiles(dir = POLICIES_DIR): string[] {
  const lib = readdirSync(join(dir, 'lib'))
    .filter((name) => name.endsWith('.rego'))
    .sort()
    .map((name) => join(dir, 'lib', name));
  return [...lib, ...policyFolders(dir).flatMap((id) => [join(dir, id, 'policy.rego'), join(dir, id, 'policy_test.rego')])];
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

export interface PolicySample {
  /** the policy whose folder holds the sample */
  policy: string;
  /** the file name without .yaml */
  name: string;
  verdict: 'allowed' | 'disallowed';
  file: string;
  manifest: Manifest;
  why: string;
  /** the exact set of corpus policies that deny the sample */
  deny: string[];
  /** disallowed samples: a fragment of the policy's denial message */
  message?: string;
  /** allowed samples: a complete object that passes the default bundle */
  full: boolean;
  /** the admission request the sample is judged in (data.kpc.admission), when it needs one */
  admission?: { operation: string; old_object?: Manifest };
}

/**
 * The samples of every policy folder (or of the named ones): samples/allowed/*.yaml and
 * samples/disallowed/*.yaml, each with its entry in samples/expected.yaml (a file without an entry,
 * or an entry without a file, is an error).
 */
export function loadPolicySamples(dir = POLICIES_DIR, ids: readonly string[] = policyFolders(dir)): PolicySample[] {
  return ids.flatMap((policy) => {
    const samplesDir = join(dir, policy, 'samples');
    const expectedFile = join(samplesDir, 'expected.yaml');
    if (!existsSync(expectedFile)) throw new DatasetError(samplesDir, ['expected.yaml is missing']);
    const expected = parseYamlRecord(sampleExpectationsSchema, readFileSync(expectedFile, 'utf8'), expectedFile);
    const problems: string[] = [];
    const samples = (['allowed', 'disallowed'] as const).flatMap((verdict) => {
      const entries: Record<
        string,
        { why: string; deny: string[]; message?: string; full?: boolean; admission?: { operation: string; old?: string } }
      > = expected[verdict];
      const files = yamlFiles(join(samplesDir, verdict)).map((name) => basename(name, '.yaml'));
      for (const name of Object.keys(entries))
        if (!files.includes(name)) problems.push(`${verdict}.${name}: no file ${verdict}/${name}.yaml`);
      return files.flatMap((name): PolicySample[] => {
        const entry = entries[name];
        if (!entry) {
          problems.push(`${verdict}/${name}.yaml has no entry under ${verdict}:`);
          return [];
        }
        const file = join(samplesDir, verdict, `${name}.yaml`);
        const { admission, ...rest } = entry;
        const oldFile = admission?.old && join(samplesDir, admission.old);
        if (oldFile && !existsSync(oldFile)) {
          problems.push(`${verdict}.${name}.admission.old: no file ${admission?.old}`);
          return [];
        }
        const context = admission && { operation: admission.operation, ...(oldFile ? { old_object: readManifest(oldFile) } : {}) };
        return [
          {
            policy,
            name,
            verdict,
            file,
            manifest: readManifest(file),
            ...rest,
            full: rest.full ?? false,
            ...(context ? { admission: context } : {}),
          },
        ];
      });
    });
    if (problems.length) throw new DatasetError(expectedFile, problems);
    return samples;
  });
}

/**
 * Known-bad manifests, each with the exact set of policies expected to deny it: the disallowed
 * samples of every policy folder, named <policy>--<sample>. Samples judged in an admission request
 * (`admission` in expected.yaml) are left out: without that request nothing denies them.
 */
export function loadNegativeFixtures(dir = POLICIES_DIR): NegativeFixture[] {
  return loadPolicySamples(dir)
    .filter((sample) => sample.verdict === 'disallowed' && !sample.admission)
    .map((sample) => ({
      name: `${sample.policy}--${sample.name}`,
      file: sample.file,
      manifest: sample.manifest,
      expected: { deny: sample.deny, why: sample.why },
    }));
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
