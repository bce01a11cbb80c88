/**
 * The admission webhook's logic (POST /v1/admission/validate, api/routes/admission.ts): an
 * AdmissionReview v1 in, an AdmissionReview v1 out.
 *
 * - The object under review is `request.object`; for DELETE it is `request.oldObject` (the object
 *   being removed). The shared in-process engine (activities/engine) evaluates it with the
 *   configured policies (PAC_ADMISSION_POLICIES: bundles and/or ids) and parameters
 *   (PAC_ADMISSION_PARAMS), and with `data.kpc.admission = {operation, old_object}`, which
 *   admission-only policies read (sa-name-unchanged-on-update compares the old and new accounts).
 * - `kpc.io/exempt` + `kpc.io/exempt-reason` on the object are applied as `pac analyze` applies them
 *   (activities/analyze/exemptions.ts): an exempted finding never denies and never warns.
 * - enforce: findings at or above PAC_ADMISSION_DENY_SEVERITY deny (`allowed: false`, 403, a status
 *   message naming each policy and its first message, bounded); lower ones are `warnings` (short:
 *   Kubernetes advises at most 120 characters each). A DELETE is never denied: removing an object
 *   that breaks a policy only lowers the risk; its findings come back as warnings.
 * - audit (PAC_ADMISSION_MODE=audit): always allowed; every active finding is a warning.
 */

import { z } from 'zod';
import { analysisObserver, RecordingBudget } from '../activities/analyze/observe';
import { type Catalogue, corpusBundles, loadCatalogue } from '../activities/analyze/policies';
import type { Finding, Severity } from '../activities/analyze/report';
import { resourceReport } from '../activities/analyze/run';
import { atOrAbove } from '../activities/analyze/severity';
import { sharedCorpusEngine } from '../activities/engine';
import { loadInventory } from '../datasets/inventory';
import { loadPolicyIndex } from '../datasets/load';
import { loadParams, type PolicyParams } from '../datasets/params';
import type { Inventory } from '../datasets/schemas';
import type { Config } from '../infra/config';

const objectSchema = z.record(z.string(), z.unknown());

/** What the webhook needs of an AdmissionReview v1; Kubernetes sends more (userInfo, options …), which is tolerated. */
export const admissionReviewSchema = z.looseObject({
  apiVersion: z.literal('admission.k8s.io/v1', { error: 'expected "admission.k8s.io/v1" (admissionReviewVersions: [v1])' }),
  kind: z.literal('AdmissionReview', { error: 'expected "AdmissionReview"' }),
  request: z.looseObject({
    uid: z.string().min(1, { error: 'expected the request uid' }).max(256),
    kind: z.looseObject({ group: z.string(), version: z.string(), kind: z.string().min(1) }),
    operation: z.enum(['CREATE', 'UPDATE', 'DELETE', 'CONNECT'], { error: 'expected CREATE, UPDATE, DELETE or CONNECT' }),
    namespace: z.string().optional(),
    name: z.string().optional(),
    object: objectSchema.nullable().optional(),
    oldObject: objectSchema.nullable().optional(),
    dryRun: z.boolean().optional(),
  }),
});
export type AdmissionReview = z.infer<typeof admissionReviewSchema>;
export type AdmissionRequest = AdmissionReview['request'];

export const admissionResponseSchema = z.object({
  apiVersion: z.literal('admission.k8s.io/v1'),
  kind: z.literal('AdmissionReview'),
  response: z.object({
    uid: z.string(),
    allowed: z.boolean(),
    status: z.object({ code: z.number().int(), reason: z.string().optional(), message: z.string() }).optional(),
    warnings: z.array(z.string()).optional(),
    auditAnnotations: z.record(z.string(), z.string()).optional(),
  }),
});
export type AdmissionResponse = z.infer<typeof admissionResponseSchema>['response'];

/** Kubernetes advises warnings of at most 120 characters. */
export const WARNING_MAX_CHARS = 120;
/** Warnings per response (the rest are counted in a last warning). */
export const MAX_WARNINGS = 10;
/** The status message of a denial (several policies, each with its first message). */
export const DENY_MESSAGE_MAX_CHARS = 2048;
const POLICY_MESSAGE_MAX_CHARS = 400;

export interface AdmissionSettings {
  mode: 'enforce' | 'audit';
  denySeverity: Severity;
  /** the policy ids evaluated (sorted) */
  policies: readonly string[];
  params?: PolicyParams;
  /** data.inventory: PAC_ADMISSION_INVENTORY's objects, or empty (never the labelling fixture) */
  inventory: Inventory;
  catalogue: Catalogue;
}

/** Bad admission configuration: names the variable (pac serve refuses to start). */
export class AdmissionConfigError extends Error {
  override name = 'AdmissionConfigError';
}

/**
 * The policies and parameters of the webhook from the configuration: each entry of
 * PAC_ADMISSION_POLICIES is a bundle name or a policy id of the corpus.
 */
export function admissionSettings(config: Config, index = loadPolicyIndex()): AdmissionSettings {
  const { admission } = config.api;
  const catalogue = loadCatalogue(index);
  const bundles = corpusBundles(index);
  const ids = new Set<string>();
  const unknown: string[] = [];
  for (const entry of admission.policies) {
    const fromBundle = bundles.names().includes(entry) ? bundles.policies([entry]) : undefined;
    if (fromBundle) for (const id of fromBundle) ids.add(id);
    else if (catalogue.policyIds.includes(entry)) ids.add(entry);
    else unknown.push(entry);
  }
  if (unknown.length)
    throw new AdmissionConfigError(
      `PAC_ADMISSION_POLICIES: ${unknown.map((u) => `"${u}"`).join(', ')} is neither a bundle (${bundles.names().join(', ')}) nor a policy id (datasets/policies/index.jsonl)`,
    );
  if (ids.size === 0) throw new AdmissionConfigError('PAC_ADMISSION_POLICIES: no policy selected (give bundle names or policy ids)');
  let params: PolicyParams | undefined;
  if (admission.paramsFile) {
    try {
      params = loadParams(admission.paramsFile, index);
    } catch (error) {
      throw new AdmissionConfigError(`PAC_ADMISSION_PARAMS: ${(error as Error).message}`);
    }
  }
  let inventory: Inventory = { namespace: {}, cluster: {} };
  if (admission.inventoryFile) {
    try {
      inventory = loadInventory(admission.inventoryFile);
    } catch (error) {
      throw new AdmissionConfigError(`PAC_ADMISSION_INVENTORY: ${(error as Error).message}`);
    }
  }
  return { mode: admission.mode, denySeverity: admission.denySeverity, policies: [...ids].sort(), params, inventory, catalogue };
}

/** At most `max` characters, the cut marked with "…". */
export function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** The object under review: the new object, or the removed one for DELETE; undefined when there is none (CONNECT). */
export function reviewedObject(request: AdmissionRequest): Record<string, unknown> | undefined {
  const object = request.operation === 'DELETE' ? (request.oldObject ?? request.object) : request.object;
  return object ?? undefined;
}

/** The verdict on findings (exemptions already applied): allowed or not, the status message, the warnings. */
export function decide(
  request: Pick<AdmissionRequest, 'uid' | 'operation'>,
  resource: string,
  findings: readonly Finding[],
  settings: Pick<AdmissionSettings, 'mode' | 'denySeverity'>,
): AdmissionResponse {
  const active = findings.filter((f) => !f.exempted);
  const denyAllowed = settings.mode === 'enforce' && request.operation !== 'DELETE';
  const denying = denyAllowed ? active.filter((f) => atOrAbove(f.severity, settings.denySeverity)) : [];
  const warned = active.filter((f) => !denying.includes(f));
  const warnings = warned
    .slice(0, MAX_WARNINGS)
    .map((f) => clip(`${f.policy} (${f.severity}): ${f.messages[0] ?? f.title}`, WARNING_MAX_CHARS));
  if (warned.length > MAX_WARNINGS) warnings.push(`… and ${warned.length - MAX_WARNINGS} more findings (pac analyze shows them all)`);
  if (settings.mode === 'audit' && active.length) warnings.unshift('pac audit mode: these findings are recorded, not enforced');
  const exempted = findings.filter((f) => f.exempted).map((f) => f.policy);
  const response: AdmissionResponse = { uid: request.uid, allowed: denying.length === 0 };
  if (denying.length) {
    const head = `${resource} is denied by ${denying.length} polic${denying.length > 1 ? 'ies' : 'y'}: `;
    const parts = denying.map((f) => `[${f.policy}] ${clip(f.messages[0] ?? f.title, POLICY_MESSAGE_MAX_CHARS)}`);
    response.status = { code: 403, reason: 'Forbidden', message: clip(head + parts.join('; '), DENY_MESSAGE_MAX_CHARS) };
  }
  if (warnings.length) response.warnings = warnings;
  if (exempted.length) response.auditAnnotations = { exempted: exempted.join(',') };
  return response;
}

/** One recording budget per configuration: requests share it (activities/analyze/observe.ts). */
const budgets = new WeakMap<Config, RecordingBudget>();

export interface ReviewOptions {
  /** record the object as an observation (source admission); off for dry-run requests and unauthenticated callers */
  record: boolean;
}

export interface ReviewResult {
  response: AdmissionResponse;
  findings: Finding[];
}

/**
 * Judges one admission request. Throws when the engine fails (the route answers 500 and the API
 * server applies the webhook's failurePolicy).
 */
export async function reviewAdmission(
  config: Config,
  settings: AdmissionSettings,
  request: AdmissionRequest,
  options: ReviewOptions,
): Promise<ReviewResult> {
  const manifest = reviewedObject(request);
  if (!manifest) return { response: { uid: request.uid, allowed: true }, findings: [] };
  const engine = await sharedCorpusEngine(config);
  const admission = {
    operation: request.operation,
    ...(request.operation === 'UPDATE' && request.oldObject ? { old_object: request.oldObject } : {}),
  };
  const [verdict] = await engine.evaluate([manifest], {
    policies: settings.policies,
    ...(settings.params ? { params: settings.params } : {}),
    inventory: settings.inventory,
    admission,
  });
  const document = { source: 'admission', line: 1, manifest };
  const report = resourceReport(document, verdict?.denied ?? {}, settings.catalogue, new Set(settings.policies));
  if (options.record && config.observations.enabled) {
    let budget = budgets.get(config);
    if (!budget) {
      budget = new RecordingBudget();
      budgets.set(config, budget);
    }
    const observer = analysisObserver(config, {
      source: 'admission',
      corpusDigest: engine.corpusDigest,
      budget,
      originOf: () => `admission ${request.operation}`,
    });
    observer.observe(document, verdict ?? { denied: {} });
    observer.finish();
  }
  return { response: decide(request, report.resource, report.findings, settings), findings: report.findings };
}
