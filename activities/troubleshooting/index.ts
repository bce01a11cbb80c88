/**
 * The troubleshooting activities (each takes one typed object and returns plain JSON), and
 * `troubleshootInProcess`, which runs the same steps in this process for the CLI.
 *
 *   diagnose → minimise (counterexample) → recommend (fix) → verify
 */
import type { Config } from '../../infra/config';
import { analysisObserver, commandLineSource } from '../analyze/observe';
import { sharedCorpusEngine } from '../engine';
import { lintRego } from '../lint/lint';
import { llmProviderFromConfig } from '../llm/chat';
import type { ObservationSource } from '../observations';
import { analyseCiLog } from './cilog';
import { classifyFailure, type FailureClassification } from './classify';
import { type MinimiseResult, minimiseCounterexample } from './minimise';
import { type Denials, evaluateDenials } from './oracle';
import type { JsonPatch } from './patch';
import { describeResource, type Recommendation, recommendFixes, verifyPatch } from './recommend';

export interface DiagnoseInput {
  manifest: unknown;
  /** the policy to troubleshoot; default: the first (by id) of the policies that deny */
  policy?: string;
  /** what the user saw (an admission denial, an opa error, a CI excerpt); classified instead of OPA's message */
  failureText?: string;
  /** who asked, for the observation this records (default: cli, or ci when the CI variable is set) */
  source?: ObservationSource;
}

export interface Diagnosis {
  resource: string;
  /** policy id → messages, every corpus policy that denies the manifest */
  denials: Denials;
  /** the policy the rest of the steps work on; absent when nothing denies the manifest */
  policy?: string;
  /** the text that was classified */
  text: string;
  classification: FailureClassification;
}

export class TroubleshootError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TroubleshootError';
  }
}

function requireObject(manifest: unknown): void {
  if (
    typeof manifest !== 'object' ||
    manifest === null ||
    Array.isArray(manifest) ||
    typeof (manifest as { kind?: unknown }).kind !== 'string'
  )
    throw new TroubleshootError('the manifest must be a Kubernetes object (a mapping with apiVersion, kind and metadata)');
}

/** Troubleshooting saw this manifest: one observation (PAC_OBSERVE=off: none; never fails the diagnosis). */
async function recordDiagnosed(config: Config, input: DiagnoseInput, denials: Denials): Promise<void> {
  try {
    const { corpusDigest } = await sharedCorpusEngine(config);
    const observer = analysisObserver(config, {
      source: input.source ?? commandLineSource(),
      corpusDigest,
      originOf: () => 'troubleshoot',
    });
    observer.observe({ manifest: input.manifest as Record<string, unknown>, source: 'troubleshoot', line: 1 }, { denied: denials });
    observer.finish();
  } catch {
    // recording is best effort: the diagnosis goes on
  }
}

export async function diagnose(config: Config, input: DiagnoseInput): Promise<Diagnosis> {
  requireObject(input.manifest);
  const [denials = {}] = await evaluateDenials({ config, manifests: [input.manifest] });
  await recordDiagnosed(config, input, denials);
  const denying = Object.keys(denials).sort();
  if (input.policy && !denials[input.policy] && !input.failureText) {
    throw new TroubleshootError(
      `${input.policy} does not deny ${describeResource(input.manifest)}${denying.length ? ` (denied by: ${denying.join(', ')})` : ' (no policy denies it)'}`,
    );
  }
  const policy = input.policy && denials[input.policy] ? input.policy : denying[0];
  const text = input.failureText ?? (policy ? `admission webhook denied the request: [${policy}] ${(denials[policy] ?? [])[0] ?? ''}` : '');
  const classification: FailureClassification = text
    ? classifyFailure(text)
    : { label: 'other', by: 'rule', confidence: 1, probabilities: {} };
  return { resource: describeResource(input.manifest), denials, ...(policy ? { policy } : {}), text, classification };
}

export function troubleshootingActivities(config: Config) {
  return {
    async troubleshootDiagnose(input: DiagnoseInput): Promise<Diagnosis> {
      return diagnose(config, input);
    },
    async troubleshootMinimise(input: { manifest: unknown; policy: string }): Promise<MinimiseResult & { policy: string }> {
      return minimiseCounterexample(config, input);
    },
    async troubleshootRecommend(input: { manifest: unknown; policy: string; denialsBefore?: Denials }): Promise<Recommendation> {
      return recommendFixes(config, input);
    },
    async troubleshootVerify(input: { manifest: unknown; patch: JsonPatch; policy: string }) {
      const { patched: _patched, ...verification } = await verifyPatch(config, input);
      return verification;
    },
    async lintRegoPaths(input: { paths: string[] }) {
      return lintRego(config, input.paths);
    },
    async analyseCiLogText(input: { text: string }) {
      return analyseCiLog(input.text, { llm: llmProviderFromConfig(config) });
    },
  };
}

export type TroubleshootingActivities = ReturnType<typeof troubleshootingActivities>;

export interface TroubleshootResult {
  resource: string;
  diagnosis: Diagnosis;
  counterexample?: MinimiseResult & { policy: string };
  recommendation?: Recommendation;
  verification?: { targetAllows: boolean; newDenials: string[]; remainingDenials: string[] };
}

/** The troubleshoot steps in this process (what `pac troubleshoot` runs; the workflow runs the same activities). */
export async function troubleshootInProcess(config: Config, input: DiagnoseInput): Promise<TroubleshootResult> {
  const acts = troubleshootingActivities(config);
  const diagnosis = await acts.troubleshootDiagnose(input);
  if (!diagnosis.policy) return { resource: diagnosis.resource, diagnosis };
  const counterexample = await acts.troubleshootMinimise({ manifest: input.manifest, policy: diagnosis.policy });
  const recommendation = await acts.troubleshootRecommend({
    manifest: input.manifest,
    policy: diagnosis.policy,
    denialsBefore: diagnosis.denials,
  });
  const best = recommendation.fixes[0];
  const verification = best
    ? await acts.troubleshootVerify({ manifest: input.manifest, patch: best.patch, policy: diagnosis.policy })
    : undefined;
  return { resource: diagnosis.resource, diagnosis, counterexample, recommendation, ...(verification ? { verification } : {}) };
}
