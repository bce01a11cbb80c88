/**
 * Feature encoder: turns feature rows (`Record<string, number | string>`, as the feature extractors
 * produce them) into numeric vectors for the models, from a spec `{name, type}[]`:
 *
 * - numeric → standardised with the training mean and standard deviation (std 0 → 1); a missing
 *   value is imputed with the training mean (→ 0); booleans, if any, count as 0/1;
 * - categorical → one-hot over the most frequent categories seen in training (ties by name) plus one
 *   "other" column for everything else, unseen or missing.
 *
 * Fitted only on training rows. `toJSON()` / `encoderFromJSON()` round-trip exactly (JSON numbers
 * are the shortest exact representation of a double), validated by `encoderStateSchema`.
 */
import { z } from 'zod';
import { type FeatureSpec, featureSpecSchema } from '../features/spec';

export type FeatureValue = number | string;
export type FeatureRow = Readonly<Record<string, FeatureValue | boolean | undefined>>;

/** The column name of the "everything else" one-hot column of a categorical feature. */
export const OTHER = '__other__';

const numericStateSchema = z.object({ name: z.string().min(1), type: z.literal('numeric'), mean: z.number(), std: z.number().positive() });
const categoricalStateSchema = z.object({
  name: z.string().min(1),
  type: z.literal('categorical'),
  /** the one-hot columns, in order; OTHER follows them */
  categories: z.array(z.string()),
});

export const encoderStateSchema = z
  .object({
    version: z.literal(1),
    features: z.array(z.discriminatedUnion('type', [numericStateSchema, categoricalStateSchema])).min(1),
  })
  .superRefine((state, ctx) => {
    const names = new Set<string>();
    state.features.forEach((f, i) => {
      if (names.has(f.name)) ctx.addIssue({ code: 'custom', path: ['features', i, 'name'], message: `feature "${f.name}" appears twice` });
      names.add(f.name);
      if (f.type === 'categorical' && new Set(f.categories).size !== f.categories.length) {
        ctx.addIssue({ code: 'custom', path: ['features', i, 'categories'], message: 'categories must be distinct' });
      }
    });
  });
export type EncoderState = z.infer<typeof encoderStateSchema>;

export class EncoderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EncoderError';
  }
}

export interface EncoderOptions {
  /** one-hot columns per categorical feature at most (the most frequent in training); default 20 */
  maxCategories?: number;
  /** a category needs at least this many training rows to get its own column; default 1 */
  minCategoryCount?: number;
}

function numericValue(feature: string, value: FeatureValue | boolean | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value !== 'number') throw new EncoderError(`feature "${feature}" is numeric but the row holds ${JSON.stringify(value)}`);
  if (!Number.isFinite(value)) throw new EncoderError(`feature "${feature}" is not a finite number (${value})`);
  return value;
}

export class FeatureEncoder {
  /** names of the output columns: "<numeric feature>", "<categorical>=<category>", "<categorical>=__other__" */
  readonly columns: readonly string[];
  private readonly categoryIndex: (Map<string, number> | undefined)[];

  constructor(readonly state: EncoderState) {
    const columns: string[] = [];
    this.categoryIndex = state.features.map((f) => {
      if (f.type === 'numeric') {
        columns.push(f.name);
        return undefined;
      }
      const index = new Map(f.categories.map((c, i) => [c, i]));
      columns.push(...f.categories.map((c) => `${f.name}=${c}`), `${f.name}=${OTHER}`);
      return index;
    });
    this.columns = columns;
  }

  get width(): number {
    return this.columns.length;
  }

  /** Encodes one row into `out` (length `width`) from `offset`; returns `out`. */
  transformInto(row: FeatureRow, out: Float64Array | number[], offset = 0): Float64Array | number[] {
    let c = offset;
    this.state.features.forEach((f, i) => {
      if (f.type === 'numeric') {
        const value = numericValue(f.name, row[f.name]);
        out[c++] = value === undefined ? 0 : (value - f.mean) / f.std;
        return;
      }
      const index = this.categoryIndex[i] as Map<string, number>;
      const raw = row[f.name];
      const at = raw === undefined ? undefined : index.get(String(raw));
      for (let j = 0; j <= f.categories.length; j++) out[c + j] = 0;
      out[c + (at ?? f.categories.length)] = 1;
      c += f.categories.length + 1;
    });
    return out;
  }

  transform(row: FeatureRow): number[] {
    return this.transformInto(row, new Array<number>(this.width)) as number[];
  }

  transformAll(rows: readonly FeatureRow[]): number[][] {
    return rows.map((row) => this.transform(row));
  }

  toJSON(): EncoderState {
    return structuredClone(this.state);
  }
}

/** Fits an encoder on training rows. */
export function fitEncoder(rows: readonly FeatureRow[], spec: readonly FeatureSpec[], options: EncoderOptions = {}): FeatureEncoder {
  const maxCategories = options.maxCategories ?? 20;
  const minCount = options.minCategoryCount ?? 1;
  if (rows.length === 0) throw new EncoderError('cannot fit an encoder on no rows');
  if (spec.length === 0) throw new EncoderError('the feature spec is empty');
  if (!Number.isInteger(maxCategories) || maxCategories < 0)
    throw new EncoderError(`maxCategories must be a whole number ≥ 0, got ${maxCategories}`);
  const features = spec.map((f): EncoderState['features'][number] => {
    featureSpecSchema.parse(f);
    if (f.type === 'numeric') {
      let sum = 0;
      let count = 0;
      for (const row of rows) {
        const v = numericValue(f.name, row[f.name]);
        if (v === undefined) continue;
        sum += v;
        count++;
      }
      const mean = count ? sum / count : 0;
      let squares = 0;
      for (const row of rows) {
        const v = numericValue(f.name, row[f.name]);
        if (v !== undefined) squares += (v - mean) ** 2;
      }
      const std = count ? Math.sqrt(squares / count) : 0;
      return { name: f.name, type: 'numeric', mean, std: std > 1e-12 ? std : 1 };
    }
    const counts = new Map<string, number>();
    for (const row of rows) {
      const raw = row[f.name];
      if (raw === undefined) continue;
      const key = String(raw);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const categories = [...counts]
      .filter(([category, count]) => count >= minCount && category !== OTHER)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, maxCategories)
      .map(([category]) => category);
    return { name: f.name, type: 'categorical', categories };
  });
  return new FeatureEncoder(encoderStateSchema.parse({ version: 1, features }));
}

/** Loads a serialised encoder (validated). */
export function encoderFromJSON(json: unknown): FeatureEncoder {
  return new FeatureEncoder(encoderStateSchema.parse(json));
}
