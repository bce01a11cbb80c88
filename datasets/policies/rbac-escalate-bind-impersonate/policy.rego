# The verbs escalate and bind let a subject create or bind roles with permissions it does not hold
# itself, and impersonate lets it act as any user, group or service account: each one is a direct
# path to cluster-admin. Deny Role and ClusterRole rules that name one of them explicitly. Rules with
# verb "*" also grant them; that case is denied by rbac-wildcard-verbs and not repeated here.
# CIS Kubernetes Benchmark 5.1.8 (limit use of the bind, impersonate and escalate permissions).
package kpc.policies.rbac_escalate_bind_impersonate

import data.kpc.lib.k8s

role_kinds := {"Role", "ClusterRole"}

escalation_verbs := {"escalate", "bind", "impersonate"}

deny contains msg if {
	role_kinds[input.kind]
	some i, rule in object.get(input, "rules", [])
	some verb in object.get(rule, "verbs", [])
	escalation_verbs[verb]
	msg := sprintf(
		"%s: rules[%d] grants verb %q (rules[%d].verbs) on resources %v; escalate, bind and impersonate lead to cluster-admin and are not allowed",
		[k8s.resource, i, verb, i, object.get(rule, "resources", [])],
	)
}
