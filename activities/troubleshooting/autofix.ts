/**
 * Autofix of one object: for each policy that denies it (or only the one asked for), the smallest
 * verified patch that needs no value only a person knows, applied in turn and re-checked with OPA.
 * Shared by `pac autofix` (which also applies the patches to the YAML document, keeping comments)
 * and the API's POST /v1/autofix.
 */
import type { Config } from '../../infra/config';
import { readManifestsStrict } from '../../lib/manifest-stream';
import { evaluateDenials } from './oracle';
import { applyPatch, type JsonPatch } from './patch';
import { describeResource, recommendFixes, type VerifiedFix } from './recommend';
import { applyPatchToDocument, styleOf } from './yaml-patch';

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
  const [before = {}] = await evaluateDenials({ config, manifests: [current] });
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
    [denials = {}] = await evaluateDenials({ config, manifests: [current] });
  }
  outcome.deniedAfter = Object.keys(denials).sort();
  outcome.fixed = current;
  return outcome;
}

export type AutofixEntry = Omit<AutofixOutcome, 'fixed' | 'patches'> & { line: number };

/**
 * Autofix of every object in a YAML/JSON text: the verified patches are applied to the YAML
 * documents themselves, so comments and key order survive; objects inside a `kind: List` are
 * patched under their `items` entry. Throws ManifestInputError (with source:line) on bad input.
 */
export async function autofixText(
  config: Config,
  text: string,
  source: string,
  options: { policy?: string } = {},
): Promise<{ changed: boolean; text: string; resources: AutofixEntry[] }> {
  const { docs, objects } = readManifestsStrict(text, source);
  const resources: AutofixEntry[] = [];
  for (const object of objects) {
    const outcome = await autofixObject(config, object.manifest, options);
    const prefix = object.item === undefined ? '' : `/items/${object.item}`;
    for (const patch of outcome.patches)
      applyPatchToDocument(
        object.doc,
        patch.map((op) =>
          'from' in op ? { ...op, from: `${prefix}${op.from}`, path: `${prefix}${op.path}` } : { ...op, path: `${prefix}${op.path}` },
        ),
      );
    const { fixed: _fixed, patches: _patches, ...entry } = outcome;
    resources.push({ line: object.line, ...entry });
  }
  const changed = resources.some((r) => r.applied.length > 0);
  return { changed, text: changed ? docs.map((d) => d.toString(styleOf(text))).join('') : text, resources };
}
