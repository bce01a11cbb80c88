/**
 * CI-log assistant: from a CI log, `{root_cause, fix, yaml_patch, confidence, evidence}`.
 *
 * Offline: the log is cleaned (ANSI colours, runner timestamps), its lines are grouped into templates
 * by the Drain miner (drain.ts) so a line repeated a hundred times counts once, and every failure
 * signature of the knowledge base (ci-kb.ts) is scored by the distinct templates its patterns match
 * (later lines weigh more: the failure is usually near the end) plus retrieval — the cosine of the
 * hashing embeddings of the signature's description and the log's error lines. The evidence is the
 * matching lines, one per template, with their line numbers.
 *
 * With an LLM provider configured (PAC_LLM_BASE_URL), the explanation and fix are written by the
 * LLM from the evidence lines only (it is told to cite them and say nothing they do not support);
 * the root cause stays the knowledge base's id, so answers remain comparable.
 */
import { z } from 'zod';
import type { LLMProvider } from '../llm/chat';
import { HashingEmbedder } from '../llm/embeddings';
import { FAILURE_SIGNATURES, type FailureSignature } from './ci-kb';
import { mineTemplates } from './drain';

/** ANSI colour and cursor sequences (ESC [ … letter). */
const ANSI_ESCAPE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, 'g');

export const ciLogLabelSchema = z.object({
  /** file name under datasets/ci-logs/logs/ */
  file: z.string().regex(/^[\w.-]+\.log$/),
  tool: z.enum([
    'kubectl',
    'helm',
    'conftest',
    'opa',
    'gatekeeper',
    'kyverno',
    'kustomize',
    'docker',
    'github-actions',
    'argo',
    'kubeconform',
  ]),
  root_cause: z.string().min(1),
  note: z.string().min(5),
});
export type CiLogLabel = z.infer<typeof ciLogLabelSchema>;

export const ciLogAnalysisSchema = z.object({
  root_cause: z.string(),
  title: z.string(),
  fix: z.string(),
  yaml_patch: z.string().nullable(),
  confidence: z.number().min(0).max(1),
  evidence: z.array(z.object({ line: z.number().int().positive(), text: z.string() })),
  explanation: z.string(),
  explainedBy: z.enum(['knowledge-base', 'llm']),
  alternatives: z.array(z.object({ root_cause: z.string(), score: z.number() })),
  stats: z.object({ lines: z.number().int(), templates: z.number().int(), errorLines: z.number().int() }),
});
export type CiLogAnalysis = z.infer<typeof ciLogAnalysisSchema>;

const ERROR_WORDS =
  /\b(error|errors|failed|failure|fail|fatal|denied|forbidden|invalid|not found|unable|cannot|can't|timed out|timeout|refused|exceeded|backoff|back-off|killed|panic|unknown|unauthorized|violation|violates|immutable|deadline)\b/i;

/** Strips ANSI colours and the timestamps CI runners prefix to lines. */
export function cleanLine(line: string): string {
  return (
    line
      .replace(ANSI_ESCAPE, '')
      .replace(/^\uFEFF/, '')
      .replace(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z\s/, '')
      .replace(/\r$/, '')
      // logfmt / JSON-encoded messages (argo, controllers) escape their quotes
      .replace(/\\"/g, '"')
  );
}

const embedder = new HashingEmbedder(1024);
let signatureVectors: number[][] | undefined;

function dot(a: readonly number[], b: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number);
  return s;
}

export interface SignatureScore {
  signature: FailureSignature;
  score: number;
  patternScore: number;
  retrieval: number;
  evidence: { line: number; text: string }[];
}

/** Scores every signature on the log (pure; exported for tests and the bench). */
export function scoreSignatures(
  text: string,
  signatures: readonly FailureSignature[] = FAILURE_SIGNATURES,
): { scores: SignatureScore[]; stats: CiLogAnalysis['stats'] } {
  const lines = text.split('\n').map(cleanLine);
  const { templates, templateOf } = mineTemplates(lines);
  const errorLines = lines.map((l, i) => ({ l, i })).filter(({ l }) => ERROR_WORDS.test(l));
  const embedSignature = (s: FailureSignature) => embedder.embedOne(`${s.title} ${s.description}`);
  signatureVectors ??= FAILURE_SIGNATURES.map(embedSignature);
  const vectors = signatures === FAILURE_SIGNATURES ? signatureVectors : signatures.map(embedSignature);
  // the error lines, each template once, for retrieval
  const seen = new Set<number>();
  const errorText = errorLines
    .filter(({ i }) => {
      const t = templateOf[i] as number;
      if (seen.has(t)) return false;
      seen.add(t);
      return true;
    })
    .map(({ l }) => l)
    .join('\n');
  const logVector = embedder.embedOne(errorText || lines.slice(-30).join('\n'));
  const n = Math.max(1, lines.length);
  const scores = signatures.map((signature, k) => {
    const hitTemplates = new Map<number, number>();
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      if (!signature.patterns.some((p) => p.test(line))) return;
      const t = templateOf[i] as number;
      if (!hitTemplates.has(t)) hitTemplates.set(t, i);
    });
    let patternScore = 0;
    for (const i of hitTemplates.values()) patternScore += 1 + 0.5 * (i / n);
    const retrieval = Math.max(0, dot(vectors[k] as number[], logVector));
    const evidence = [...hitTemplates.values()]
      .sort((a, b) => a - b)
      .slice(0, 6)
      .map((i) => ({ line: i + 1, text: (lines[i] as string).trim() }));
    return { signature, score: patternScore + 2 * retrieval, patternScore, retrieval, evidence };
  });
  // a signature with evidence lines beats one that only retrieval favours
  scores.sort(
    (a, b) => Number(b.patternScore > 0) - Number(a.patternScore > 0) || b.score - a.score || a.signature.id.localeCompare(b.signature.id),
  );
  return { scores, stats: { lines: lines.length, templates: templates.length, errorLines: errorLines.length } };
}

export interface AnalyseCiLogOptions {
  llm?: LLMProvider;
}

export async function analyseCiLog(text: string, options: AnalyseCiLogOptions = {}): Promise<CiLogAnalysis> {
  if (text.trim() === '') throw new Error('the CI log is empty');
  const { scores, stats } = scoreSignatures(text);
  const best = scores[0] as SignatureScore;
  const second = scores[1];
  const matched = best.patternScore > 0;
  const confidence = matched
    ? Math.min(0.99, best.score / (best.score + (second?.score ?? 0)) + 0.1 * Math.min(best.evidence.length, 3) - 0.1)
    : Math.min(0.35, best.retrieval);
  const evidence = matched
    ? best.evidence
    : text
        .split('\n')
        .map((l, i) => ({ line: i + 1, text: cleanLine(l).trim() }))
        .filter((l) => ERROR_WORDS.test(l.text))
        .slice(-5);
  const base: CiLogAnalysis = {
    root_cause: matched ? best.signature.id : 'unknown',
    title: matched ? best.signature.title : 'No known failure signature matched',
    fix: matched ? best.signature.fix : 'Read the evidence lines; no signature of the knowledge base matched them.',
    yaml_patch: matched ? (best.signature.yamlPatch ?? null) : null,
    confidence: Math.max(0, Math.round(confidence * 1000) / 1000),
    evidence,
    explanation: matched
      ? `${best.signature.title}: ${evidence.map((e) => `line ${e.line}`).join(', ')} match the signature "${best.signature.id}".`
      : 'No failure signature matched; the lines with error words are listed as evidence.',
    explainedBy: 'knowledge-base',
    alternatives: scores.slice(1, 4).map((s) => ({ root_cause: s.signature.id, score: Math.round(s.score * 1000) / 1000 })),
    stats,
  };
  if (!options.llm || evidence.length === 0) return base;
  return explainWithLlm(options.llm, base);
}

const llmAnswerSchema = z.object({ explanation: z.string().min(1), fix: z.string().min(1) });

/** Asks the LLM to explain the failure from the evidence lines only; keeps the offline answer if it cannot. */
export async function explainWithLlm(llm: LLMProvider, base: CiLogAnalysis): Promise<CiLogAnalysis> {
  const evidence = base.evidence.map((e) => `L${e.line}: ${e.text}`).join('\n');
  try {
    const completion = await llm.complete({
      model: llm.models.cheap,
      temperature: 0,
      maxTokens: 400,
      messages: [
        {
          role: 'system',
          content:
            'You explain CI failures of Kubernetes deployments. Use ONLY the evidence lines given; cite them as L<number>. Do not invent facts that the lines do not show. Answer as JSON: {"explanation": "...", "fix": "..."}.',
        },
        {
          role: 'user',
          content: `Likely root cause (from the knowledge base): ${base.root_cause} — ${base.title}\nKnown fix: ${base.fix}\n\nEvidence lines:\n${evidence}`,
        },
      ],
    });
    const json = completion.text.slice(completion.text.indexOf('{'), completion.text.lastIndexOf('}') + 1);
    const answer = llmAnswerSchema.parse(JSON.parse(json));
    // grounded: the explanation must cite at least one evidence line
    if (!/L\d+/.test(answer.explanation)) return base;
    return { ...base, explanation: answer.explanation, fix: answer.fix, explainedBy: 'llm' };
  } catch {
    return base;
  }
}
