/**
 * Versioned prompt templates: activities/qa/prompts/<name>.<version>.md, YAML front matter (name,
 * version, description, offline settings) and a body with {{placeholders}}. Every answer records
 * the `name@version` it was made with, so versions can be compared (bench/rag-eval.ts runs A/B).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { stripFrontMatter } from './chunk';

export const PROMPTS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'prompts');

export const promptMetaSchema = z.strictObject({
  name: z.enum(['answer', 'grade', 'grounding']),
  version: z.string().regex(/^v\d+$/),
  description: z.string(),
  /** how the offline generator behaves under this version */
  offline: z
    .strictObject({
      maxSentences: z.int().min(1).max(10),
      minSentenceScore: z.number().min(0).max(1),
      maxPerChunk: z.int().min(1).optional(),
    })
    .optional(),
});
export type PromptMeta = z.infer<typeof promptMetaSchema>;

export interface PromptTemplate extends PromptMeta {
  /** "answer@v2" */
  id: string;
  body: string;
  file: string;
}

let cache: PromptTemplate[] | undefined;

export function loadPrompts(dir = PROMPTS_DIR): PromptTemplate[] {
  if (dir === PROMPTS_DIR && cache) return cache;
  const out: PromptTemplate[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.md')) continue;
    const text = readFileSync(join(dir, file), 'utf8');
    const { body, frontMatter } = stripFrontMatter(text);
    const parsed = promptMetaSchema.safeParse(parseYaml(frontMatter ?? ''));
    if (!parsed.success)
      throw new Error(
        `${join(dir, file)}: bad front matter: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    const expected = `${parsed.data.name}.${parsed.data.version}.md`;
    if (file !== expected) throw new Error(`${join(dir, file)}: front matter says ${expected}`);
    out.push({ ...parsed.data, id: `${parsed.data.name}@${parsed.data.version}`, body: body.trim(), file: join(dir, file) });
  }
  if (dir === PROMPTS_DIR) cache = out;
  return out;
}

export class UnknownPromptVersionError extends Error {
  constructor(
    readonly prompt: string,
    readonly version: string,
    readonly available: string[],
  ) {
    super(`no prompt ${prompt}@${version} (available: ${available.join(', ')})`);
    this.name = 'UnknownPromptVersionError';
  }
}

export function getPrompt(name: PromptMeta['name'], version?: string): PromptTemplate {
  const all = loadPrompts().filter((p) => p.name === name);
  const wanted = version ?? all.map((p) => p.version).sort((a, b) => Number(b.slice(1)) - Number(a.slice(1)))[0];
  const found = all.find((p) => p.version === wanted);
  if (!found)
    throw new UnknownPromptVersionError(
      name,
      String(version),
      all.map((p) => p.version),
    );
  return found;
}

/** Fills {{name}} placeholders; an unknown placeholder is an error, so templates and code stay in step. */
export function renderPrompt(template: PromptTemplate, values: Record<string, string>): string {
  return template.body.replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`prompt ${template.id}: no value for {{${key}}}`);
    return value;
  });
}
