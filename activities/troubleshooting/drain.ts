/**
 * A Drain-style log template miner (fixed-depth parse tree, after He et al.'s Drain): each line is
 * masked (timestamps, numbers, hex ids, digests, IPs, UUIDs, durations), split into tokens, routed by
 * its token count and its first `depth` tokens to a leaf, and joined to the most similar template
 * there when at least `similarity` of its tokens agree position by position; the positions that
 * differ become `<*>`. Otherwise it starts a new template. Pure and deterministic.
 *
 *   const drain = new Drain();
 *   for (const line of lines) drain.add(line);
 *   drain.templates(); // [{id, template, count, lines}]
 */

export interface DrainOptions {
  /** tokens (after the length level) used to route a line to a leaf (default 2) */
  depth?: number;
  /** share of equal tokens needed to join a template (default 0.5) */
  similarity?: number;
  /** templates per leaf before new lines join the most similar one anyway (default 100) */
  maxChildren?: number;
}

export interface DrainTemplate {
  id: number;
  template: string;
  tokens: string[];
  count: number;
  /** 0-based indexes of the lines (in add order) that belong to it */
  lines: number[];
}

export const WILDCARD = '<*>';

/** ANSI colour and cursor sequences (ESC [ … letter). */
const ANSI_ESCAPE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g');

const MASKS: [RegExp, string][] = [
  [ANSI_ESCAPE, ''],
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<TS>'],
  [/\b\d{2}:\d{2}:\d{2}(?:\.\d+)?\b/g, '<TS>'],
  [/sha256:[0-9a-f]{12,64}/gi, '<DIGEST>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<UUID>'],
  [/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '<IP>'],
  [/\b[0-9a-f]{12,}\b/gi, '<HEX>'],
  [/\b\d+(?:\.\d+)?(?:ms|s|m|h|µs|us|ns|Mi|Gi|Ki|MB|GB|kB|B|%)\b/g, '<NUM>'],
  [/(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])/g, '<NUM>'],
];

/** The masked form of a line: variable parts replaced by placeholders, whitespace collapsed. */
export function maskLine(line: string): string {
  let out = line;
  for (const [pattern, replacement] of MASKS) out = out.replace(pattern, replacement);
  return out.replace(/\s+/g, ' ').trim();
}

export function tokenizeLine(line: string): string[] {
  const masked = maskLine(line);
  return masked === '' ? [] : masked.split(' ');
}

const hasDigit = (token: string) => /\d/.test(token) || token.startsWith('<');

interface Leaf {
  templates: DrainTemplate[];
}

export class Drain {
  private readonly depth: number;
  private readonly similarity: number;
  private readonly maxChildren: number;
  private readonly root = new Map<string, Map<string, Leaf>>();
  private readonly all: DrainTemplate[] = [];
  private lineCount = 0;

  constructor(options: DrainOptions = {}) {
    this.depth = options.depth ?? 2;
    this.similarity = options.similarity ?? 0.5;
    this.maxChildren = options.maxChildren ?? 100;
    if (this.depth < 1) throw new RangeError('Drain depth must be at least 1');
    if (this.similarity <= 0 || this.similarity > 1) throw new RangeError('Drain similarity must be in (0, 1]');
  }

  private route(tokens: string[]): Leaf {
    const byLength = this.root.get(String(tokens.length)) ?? new Map<string, Leaf>();
    this.root.set(String(tokens.length), byLength);
    const key = tokens
      .slice(0, this.depth)
      .map((t) => (hasDigit(t) ? WILDCARD : t))
      .join(' ');
    let leaf = byLength.get(key);
    if (!leaf) {
      leaf = { templates: [] };
      byLength.set(key, leaf);
    }
    return leaf;
  }

  /** Share of positions where the template has the same token (wildcards count as agreeing: half). */
  static similarityOf(template: readonly string[], tokens: readonly string[]): number {
    if (template.length !== tokens.length) return 0;
    if (template.length === 0) return 1;
    let score = 0;
    for (let i = 0; i < template.length; i++) {
      if (template[i] === tokens[i]) score += 1;
      else if (template[i] === WILDCARD) score += 0.5;
    }
    return score / template.length;
  }

  /** Adds a line; returns the template it joined or started. Empty lines get no template. */
  add(line: string): DrainTemplate | undefined {
    const index = this.lineCount++;
    const tokens = tokenizeLine(line);
    if (tokens.length === 0) return undefined;
    const leaf = this.route(tokens);
    let best: DrainTemplate | undefined;
    let bestScore = -1;
    for (const candidate of leaf.templates) {
      const score = Drain.similarityOf(candidate.tokens, tokens);
      if (score > bestScore) {
        best = candidate;
        bestScore = score;
      }
    }
    if (best && (bestScore >= this.similarity || leaf.templates.length >= this.maxChildren)) {
      best.tokens = best.tokens.map((t, i) => (t === tokens[i] ? t : WILDCARD));
      best.template = best.tokens.join(' ');
      best.count += 1;
      best.lines.push(index);
      return best;
    }
    const created: DrainTemplate = { id: this.all.length, template: tokens.join(' '), tokens, count: 1, lines: [index] };
    leaf.templates.push(created);
    this.all.push(created);
    return created;
  }

  /** Every template in creation order. */
  templates(): DrainTemplate[] {
    return this.all.map((t) => ({ ...t, tokens: [...t.tokens], lines: [...t.lines] }));
  }
}

/** Mines the templates of a whole log; `templateOf[i]` is the template id of line i (-1 for blank lines). */
export function mineTemplates(lines: readonly string[], options?: DrainOptions): { templates: DrainTemplate[]; templateOf: number[] } {
  const drain = new Drain(options);
  const templateOf = lines.map((line) => drain.add(line)?.id ?? -1);
  return { templates: drain.templates(), templateOf };
}
