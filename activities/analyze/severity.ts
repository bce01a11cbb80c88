/** Severity order, thresholds and the Pod Security Standards level of a policy. */
import type { Finding, PssLevel, Severity } from './report';

/** Higher is worse. */
export const SEVERITY_RANK: Readonly<Record<Severity, number>> = { low: 0, medium: 1, high: 2, critical: 3 };

/** critical → high → medium → low */
export const SEVERITIES_DESCENDING: readonly Severity[] = ['critical', 'high', 'medium', 'low'];

export function atOrAbove(severity: Severity, threshold: Severity): boolean {
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[threshold];
}

/** Findings by severity (critical first), then by policy id: the order of every output. */
export function compareFindings(a: Pick<Finding, 'severity' | 'policy'>, b: Pick<Finding, 'severity' | 'policy'>): number {
  return SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity] || (a.policy < b.policy ? -1 : a.policy > b.policy ? 1 : 0);
}

/** The lowest PSS level among a policy's controls ("baseline.privileged" → baseline); null when it maps to none. */
export function pssLevelOf(controls: readonly string[]): PssLevel {
  if (controls.some((c) => c.startsWith('baseline.'))) return 'baseline';
  if (controls.some((c) => c.startsWith('restricted.'))) return 'restricted';
  return null;
}
