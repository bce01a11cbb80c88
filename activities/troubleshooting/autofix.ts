/**
 * Autofix of one object: for each policy that denies it (or only the one asked for), the smallest
 * verified patch that needs no value only a person knows, applied in turn and re-checked with OPA.
 * Shared by `pac autofix` (which also applies the patches to the YAML document, keeping comments)
 * and the API's POST /v1/autofix.
 */
import type { Config } from '../../infra/config';
import { evaluateDenials } from './oracle';
import { applyPatch, type JsonPatch } from './patch';
import { describeResource, recommendFixes, type VerifiedFix } from './recommend';

export interface AutofixOutcome {
  resource: string;
  deniedBefore: string[];
  applied: { policy: string; fix: VerifiedFix }[];
  /** denials no applicable fix (without placeholders) was found for, with the best suggestion if any */
  unresolved: { policy: string; reason: string; suggestion?: VerifiedFix }[];
  deniedAfter: string[];
  /** the manifest with every applied patch */
  fixed: unknown;
  /** the applied patches in order (to replay on a YAML document) */
  patches: JsonPatch[];
}

export async function autofixObject(config: Config, manifest: unknown, options: { policy?: string } = {}): Promise<AutofixOutcome> {
  let current: unknown = manifest;
  const [before = {}] = await evaluateDenials({ opa: config.opa, manifests: [current] });
  const targets = options.policy ? (before[options.policy] ? [options.policy] : []) : Object.keys(before).sort();
  const outcome: AutofixOutcome = {
    resource: describeResource(manifest),
    deniedBefore: Object.keys(before).sort(),
    applied: [],
    unresolved: [],
    deniedAfter: [],
    fixed: manifest,
    patches: [],
  };
  let denials = before;
  for (const policy of targets) {
    if (!denials[policy]) continue; // an earlier fix already satisfied it
    const rec = await recommendFixes(config, { manifest: current, policy, denialsBefore: denials, strategy: 'manifest_patch' });
    const usable = rec.fixes.find((f) => f.placeholders.length === 0);
    if (!usable) {
      outcome.unresolved.push({
        policy,
        reason: rec.fixes.length ? 'every verified fix needs a value only you know' : 'no verified manifest fix found',
        ...(rec.fixes[0] ? { suggestion: rec.fixes[0] } : {}),
      });
      continue;
    }
    current = applyPatch(current, usable.patch);
    outcome.patches.push(usable.patch);
    outcome.applied.push({ policy, fix: usable });
    [denials = {}] = await evaluateDenials({ opa: config.opa, manifests: [current] });
  }
  outcome.deniedAfter = Object.keys(denials).sort();
  outcome.fixed = current;
  return outcome;
}
