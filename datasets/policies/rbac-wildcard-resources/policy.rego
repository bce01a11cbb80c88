# A Role or ClusterRole rule with resources "*" covers every resource of its API groups, including
# secrets, subresources such as pods/exec and nodes/proxy, and resources added later; with
# apiGroups "*" it covers every resource of the cluster. Denied whatever apiGroups says: "*" within
# one group is already too broad (the core group holds secrets). apiGroups "*" with named resources
# and subresource patterns such as "*/scale" are not denied here.
# CIS Kubernetes Benchmark 5.1.3 (minimize wildcard use in Roles and ClusterRoles).
package kpc.policies.rbac_wildcard_resources

import data.kpc.lib.k8s

role_kinds := {"Role", "ClusterRole"}

deny contains msg if {
	role_kinds[input.kind]
	some i, rule in object.get(input, "rules", [])
	"*" in object.get(rule, "resources", [])
	msg := sprintf(
		"%s: rules[%d] grants resources [\"*\"] (rules[%d].resources) in apiGroups %v%s; list the resources the role needs explicitly",
		[k8s.resource, i, i, object.get(rule, "apiGroups", []), scope(rule)],
	)
}

scope(rule) := ", i.e. every resource of every API group" if {
	"*" in object.get(rule, "apiGroups", [])
} else := ""
