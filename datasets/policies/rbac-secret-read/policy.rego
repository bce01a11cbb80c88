# Reading Secrets (get, list or watch) returns their decoded values: service account tokens,
# database passwords, TLS keys. list and watch return every Secret of the namespace (or of the
# cluster, for a ClusterRole). Deny Role and ClusterRole rules that grant get, list, watch or "*" on
# resources "secrets" or "*" in apiGroups "" (core) or "*". resourceNames narrows a rule but is no
# exemption: the house standard keeps secret reads out of roles entirely (workloads mount them).
# A rule without apiGroups is read as the core group.
# CIS Kubernetes Benchmark 5.1.2 (minimize access to secrets).
package kpc.policies.rbac_secret_read

import data.kpc.lib.k8s

role_kinds := {"Role", "ClusterRole"}

read_verbs := {"get", "list", "watch", "*"}

core_groups := {"", "*"}

secret_resources := {"secrets", "*"}

deny contains msg if {
	role_kinds[input.kind]
	some i, rule in object.get(input, "rules", [])
	verbs := [v | some v in object.get(rule, "verbs", []); read_verbs[v]]
	count(verbs) > 0
	resources := [r | some r in object.get(rule, "resources", []); secret_resources[r]]
	count(resources) > 0
	in_core_group(rule)
	msg := sprintf(
		"%s: rules[%d] grants %v on secrets (rules[%d].resources %v, apiGroups %v); roles must not read Secrets, mount them into the workload instead",
		[k8s.resource, i, verbs, i, resources, object.get(rule, "apiGroups", [""])],
	)
}

in_core_group(rule) if {
	some g in object.get(rule, "apiGroups", [""])
	core_groups[g]
}
