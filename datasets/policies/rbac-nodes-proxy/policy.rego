# nodes/proxy reaches the kubelet API of every node through the API server: with it one can list
# and run commands in any pod of the node (the kubelet maps WebSocket exec to get), and requests
# bypass audit of the pod-level subresources. Deny ClusterRole rules granting any verb on
# "nodes/proxy" or "*/proxy" in apiGroups "" or "*". Roles are not checked: nodes are
# cluster-scoped, so a namespaced Role cannot grant them. Resources "*" is left to
# rbac-wildcard-resources. (Related: CIS 5.1.3.)
package kpc.policies.rbac_nodes_proxy

import data.kpc.lib.k8s

proxy_resources := {"nodes/proxy", "*/proxy"}

core_groups := {"", "*"}

deny contains msg if {
	input.kind == "ClusterRole"
	some i, rule in object.get(input, "rules", [])
	verbs := object.get(rule, "verbs", [])
	count(verbs) > 0
	in_core_group(rule)
	some resource in object.get(rule, "resources", [])
	proxy_resources[resource]
	msg := sprintf(
		"%s: rules[%d] grants %v on %q (rules[%d].resources); access to the kubelet API through nodes/proxy is not allowed",
		[k8s.resource, i, verbs, resource, i],
	)
}

in_core_group(rule) if {
	some g in object.get(rule, "apiGroups", [""])
	core_groups[g]
}
