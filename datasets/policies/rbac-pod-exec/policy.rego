# pods/exec, pods/attach and pods/portforward open a shell, a terminal or a tunnel into a running
# container: whoever holds them reads its mounted secrets and acts as its service account. Deny
# Role and ClusterRole rules granting create, get or "*" on them in apiGroups "" or "*" (also
# through the "*/exec", "*/attach", "*/portforward" forms). get is included because the API server
# authorises WebSocket exec/attach/port-forward upgrades (HTTP GET) with the get verb unless the
# AuthorizePodWebsocketUpgradeCreatePermission gate is on (kubernetes/kubernetes#78741).
# Resources "*" is denied by rbac-wildcard-resources and not repeated here. (Related: CIS 5.1.3.)
package kpc.policies.rbac_pod_exec

import data.kpc.lib.k8s

role_kinds := {"Role", "ClusterRole"}

exec_verbs := {"create", "get", "*"}

exec_resources := {"pods/exec", "pods/attach", "pods/portforward", "*/exec", "*/attach", "*/portforward"}

core_groups := {"", "*"}

deny contains msg if {
	role_kinds[input.kind]
	some i, rule in object.get(input, "rules", [])
	verbs := [v | some v in object.get(rule, "verbs", []); exec_verbs[v]]
	count(verbs) > 0
	in_core_group(rule)
	some resource in object.get(rule, "resources", [])
	exec_resources[resource]
	msg := sprintf(
		"%s: rules[%d] grants %v on %q (rules[%d].resources); exec, attach and port-forward into pods are not allowed",
		[k8s.resource, i, verbs, resource, i],
	)
}

in_core_group(rule) if {
	some g in object.get(rule, "apiGroups", [""])
	core_groups[g]
}
