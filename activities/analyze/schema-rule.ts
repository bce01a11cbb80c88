/**
 * `pac analyze --schema`: the schema check as a rule of the report. A field the Kubernetes schema
 * does not have (`readinesProbe`, a pod-level `securityContex`), a wrong type, a missing required
 * field or an apiVersion/kind that does not exist passes every Rego rule silently — the object
 * just does not do what its author meant. activities/schema/validate.ts finds them (the schemas of
 * Kubernetes 1.33 from kubernetes-models); here each problem becomes a message of the finding
 * `schema-valid`, which can be exempted like any policy. Opt-in: it costs about as much per object
 * as evaluating every policy.
 */
import { validateSchema } from '../schema/validate';
import type { Finding, RuleInfo } from './report';

export const SCHEMA_RULE: RuleInfo = {
  id: 'schema-valid',
  title: 'Fields exist in the Kubernetes schema',
  description:
    'Every field of the object exists in the Kubernetes OpenAPI schema of its apiVersion and kind, with the right type; required fields are set. Custom resources are not judged.',
  severity: 'medium',
  pss: null,
  category: 'schema',
  help: 'Fix the field name or type the message names: a misspelled field is ignored by the API server (or refused with --validate=strict), so the setting it was meant to make is not made.',
  reliability: 1,
};

/** The schema finding of one object, if it has problems. */
export function schemaFinding(manifest: unknown): Finding | undefined {
  const problems = validateSchema(manifest);
  if (problems.length === 0) return undefined;
  return {
    policy: SCHEMA_RULE.id,
    title: SCHEMA_RULE.title,
    severity: SCHEMA_RULE.severity,
    pss: null,
    messages: problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).sort(),
  };
}
