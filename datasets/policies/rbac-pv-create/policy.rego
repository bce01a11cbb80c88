# A PersistentVolume can point at any hostPath or storage backend of the node, so whoever creates
# one and a claim bound to it can mount the node's filesystem into a pod, bypassing the pod-level
# hostPath ban. Deny ClusterRole rules granting create or "*" on persistentvolumes in apiGroups ""
# or "*". Roles are not checked: PersistentVolumes are cluster-scoped, a namespaced Role cannot
# grant them. Resources "*" is left to rbac-wildcard-resources.
# CIS Kubernetes Benchmark 5.1.9 (minimize access to create persistent volumes).
package kpc.policies.rbac_pv_create

import data.kpc.lib.k8s

create_verbs := {"create", "*"}

core_groups := {"", "*"}

deny contains msg if {
	input.kind == "ClusterRole"
	some i, rule in object.get(input, "rules", [])
	"persistentvolumes" in object.get(rule, "resources", [])
	verbs := [v | some v in object.get(rule, "verbs", []); create_verbs[v]]
	count(verbs) > 0
	in_core_group(rule)
	msg := sprintf(
		"%s: rules[%d] grants %v on persistentvolumes (rules[%d].verbs); only the storage provisioners may create PersistentVolumes",
		[k8s.resource, i, verbs, i],
	)
}

in_core_group(rule) if {
	some g in object.get(rule, "apiGroups", [""])
	core_groups[g]
}
