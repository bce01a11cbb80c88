/**
 * Exemptions through annotations on the object itself:
 *
 *   metadata:
 *     annotations:
 *       kpc.io/exempt: "pss-host-ports, image-digest-pinned"
 *       kpc.io/exempt-reason: "node-local DNS cache; image pinned by the operator (TICKET-123)"
 *
 * An exempted finding is still reported, marked exempted with its reason; it never counts towards
 * the exit code. An exemption without a reason is not applied and is itself a finding, and so is an
 * exemption naming a policy that does not exist (a typo would otherwise exempt nothing, silently).
 */
import { isObject } from '../../lib/json';
import type { Finding, RuleInfo } from './report';
import { compareFindings } from './severity';

export const EXEMPT_ANNOTATION = 'kpc.io/exempt';
export const EXEMPT_REASON_ANNOTATION = 'kpc.io/exempt-reason';

const EXEMPTION_HELP = `Exempt an object from policies with two annotations on the object itself:\n  ${EXEMPT_ANNOTATION}: "<policy id>[, <policy id>…]"\n  ${EXEMPT_REASON_ANNOTATION}: "<why, e.g. a ticket>"\nExempted findings stay in the report, marked exempted with the reason, and do not count towards the exit code.`;

export const EXEMPTION_RULES: readonly RuleInfo[] = [
  {
    id: 'exemption-reason-required',
    title: 'An exemption says why',
    description: `An object annotated ${EXEMPT_ANNOTATION} must also carry a non-empty ${EXEMPT_REASON_ANNOTATION}; without it the exemption is not applied.`,
    severity: 'medium',
    pss: null,
    category: 'exemptions',
    help: EXEMPTION_HELP,
    reliability: 1,
  },
  {
    id: 'exemption-unknown-policy',
    title: 'An exemption names existing policies',
    description: `Every id in ${EXEMPT_ANNOTATION} must be a policy of the corpus; an unknown id (often a typo) exempts nothing.`,
    severity: 'low',
    pss: null,
    category: 'exemptions',
    help: EXEMPTION_HELP,
    reliability: 1,
  },
];

const [REASON_RULE, UNKNOWN_RULE] = EXEMPTION_RULES as [RuleInfo, RuleInfo];

function finding(rule: RuleInfo, message: string): Finding {
  return { policy: rule.id, title: rule.title, severity: rule.severity, pss: rule.pss, messages: [message] };
}

/** The exemption annotations of a manifest: the policy ids (deduplicated, in order) and the reason, if any. */
export function exemptionOf(manifest: Record<string, unknown>): { ids: string[]; reason?: string } | undefined {
  const metadata = manifest.metadata;
  const annotations = isObject(metadata) && isObject(metadata.annotations) ? metadata.annotations : undefined;
  const raw = annotations?.[EXEMPT_ANNOTATION];
  if (raw === undefined || raw === null) return undefined;
  const ids = [
    ...new Set(
      String(raw)
        .split(',')
        .map((id) => id.trim())
        .filter(Boolean),
    ),
  ];
  const reason = annotations?.[EXEMPT_REASON_ANNOTATION];
  return typeof reason === 'string' && reason.trim() !== '' ? { ids, reason: reason.trim() } : { ids };
}

/** Active findings first (by severity, then policy), exempted ones after them. */
export function byReportOrder(a: Finding, b: Finding): number {
  return Number(a.exempted !== undefined) - Number(b.exempted !== undefined) || compareFindings(a, b);
}

/**
 * Applies the object's exemptions to its findings: exempted ones are marked, an exemption without a
 * reason or naming an unknown policy adds a finding. Returns the findings in report order.
 */
export function applyExemptions(
  manifest: Record<string, unknown>,
  resource: string,
  findings: readonly Finding[],
  isPolicy: (id: string) => boolean,
): Finding[] {
  const exemption = exemptionOf(manifest);
  if (!exemption || exemption.ids.length === 0) return [...findings].sort(byReportOrder);
  const out: Finding[] = [];
  const unknown = exemption.ids.filter((id) => !isPolicy(id));
  if (unknown.length)
    out.push(
      finding(
        UNKNOWN_RULE,
        `${resource}: annotation ${EXEMPT_ANNOTATION} names ${unknown.map((u) => `"${u}"`).join(', ')}, which ${unknown.length > 1 ? 'are not policies' : 'is not a policy'} of the corpus; it exempts nothing`,
      ),
    );
  if (exemption.reason === undefined) {
    out.push(
      finding(
        REASON_RULE,
        `${resource}: annotation ${EXEMPT_ANNOTATION} ("${exemption.ids.join(', ')}") has no ${EXEMPT_REASON_ANNOTATION}; the exemption is not applied — add ${EXEMPT_REASON_ANNOTATION}: "<why>"`,
      ),
      ...findings,
    );
    return out.sort(byReportOrder);
  }
  const exempt = new Set(exemption.ids);
  const reason = exemption.reason;
  for (const f of findings) out.push(exempt.has(f.policy) ? { ...f, exempted: { reason } } : f);
  return out.sort(byReportOrder);
}
