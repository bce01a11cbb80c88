/**
 * Extractors of the kinds that run pods: the pod spec at the kind's template path (read by the
 * pod parts below, in turn), and the Job and CronJob settings.
 */
import { extractPortsAndEnv, extractProbes, extractResources } from './manifest-containers';
import type { ManifestFeatures } from './manifest-features';
import { extractImages } from './manifest-images';
import { extractPodLevel, extractPodServiceAccount, extractVolumes, type PodView, podViewOf } from './manifest-pod';
import { extractContainerSecurity, extractSecurityProfiles } from './manifest-pod-security';
import type { ManifestView } from './manifest-view';
import { bit, category, num, obj, path } from './read-json';

const POD_PARTS: readonly ((f: ManifestFeatures, pod: PodView) => void)[] = [
  extractPodLevel,
  extractSecurityProfiles,
  extractContainerSecurity,
  extractImages,
  extractResources,
  extractProbes,
  extractPortsAndEnv,
  extractVolumes,
  extractPodServiceAccount,
];

/** Every workload kind: the features of its pod spec, when it has one. */
export function extractPodSpec(f: ManifestFeatures, m: ManifestView): void {
  const pod = podViewOf(m.raw, m.kind);
  if (pod === undefined) return;
  for (const part of POD_PARTS) part(f, pod);
}

/** Job and CronJob: cleanup and retry settings of the job (a CronJob's job template). */
export function extractJob(f: ManifestFeatures, m: ManifestView): void {
  const jobSpec = m.kind === 'Job' ? m.spec : obj(path(m.spec, 'jobTemplate', 'spec'));
  f.job_ttl_missing = bit(num(jobSpec.ttlSecondsAfterFinished) === undefined);
  f.job_backoff_limit_missing = bit(num(jobSpec.backoffLimit) === undefined);
}

/** CronJob: whether runs may overlap. */
export function extractCronJob(f: ManifestFeatures, m: ManifestView): void {
  const policy = m.spec.concurrencyPolicy;
  f.cronjob_concurrency_policy = category(policy);
  f.cronjob_concurrency_allowed = bit(policy !== 'Forbid' && policy !== 'Replace');
}
