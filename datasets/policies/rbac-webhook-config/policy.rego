# Admission webhooks see (and mutating ones rewrite) every object they match, and deleting or
# editing a validating webhook switches off the policy checks it enforces. Deny ClusterRole rules
# granting a write verb (create, update, patch, delete, deletecollection or "*") on
# validatingwebhookconfigurations or mutatingwebhookconfigurations in apiGroups
# admissionregistration.k8s.io or "*". Roles are not checked: the configurations are
# cluster-scoped. Resources "*" is left to rbac-wildcard-resources. (Related: CIS 5.1.3.)
package kpc.policies.rbac_webhook_config

import data.kpc.lib.k8s

write_verbs := {"create", "update", "patch", "delete", "deletecollection", "*"}

webhook_resources := {"validatingwebhookconfigurations", "mutatingwebhookconfigurations"}

admission_groups := {"admissionregistration.k8s.io", "*"}

deny contains msg if {
	input.kind == "ClusterRole"
	some i, rule in object.get(input, "rules", [])
	verbs := [v | some v in object.get(rule, "verbs", []); write_verbs[v]]
	count(verbs) > 0
	in_admission_group(rule)
	some resource in object.get(rule, "resources", [])
	webhook_resources[resource]
	msg := sprintf(
		"%s: rules[%d] grants %v on %s (rules[%d].resources); only the admission controller's own installer may write webhook configurations",
		[k8s.resource, i, verbs, resource, i],
	)
}

in_admission_group(rule) if {
	some g in object.get(rule, "apiGroups", [])
	admission_groups[g]
}
