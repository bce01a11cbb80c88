# A Role or ClusterRole rule with verb "*" grants every verb on its resources, today's and those
# added by future API versions (including escalate, bind, impersonate and deletecollection), so
# nobody can tell from the role what it is meant to do. List the verbs explicitly.
# CIS Kubernetes Benchmark 5.1.3 (minimize wildcard use in Roles and ClusterRoles).
package kpc.policies.rbac_wildcard_verbs

import data.kpc.lib.k8s

role_kinds := {"Role", "ClusterRole"}

deny contains msg if {
	role_kinds[input.kind]
	some i, rule in object.get(input, "rules", [])
	"*" in object.get(rule, "verbs", [])
	msg := sprintf(
		"%s: rules[%d] grants verbs [\"*\"] (rules[%d].verbs) on %v; list the verbs the role needs explicitly",
		[k8s.resource, i, i, targets(rule)],
	)
}

# What the rule applies to, for the message: resources, or non-resource URLs.
targets(rule) := sprintf("resources %v", [rule.resources]) if {
	count(rule.resources) > 0
} else := sprintf("nonResourceURLs %v", [rule.nonResourceURLs]) if {
	count(rule.nonResourceURLs) > 0
} else := "no resources"
