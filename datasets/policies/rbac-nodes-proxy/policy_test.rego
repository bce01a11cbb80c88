package kpc.policies.rbac_nodes_proxy_test

import data.kpc.policies.rbac_nodes_proxy

role(kind, rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "r"}, "rules": rules}

proxy := {"apiGroups": [""], "resources": ["nodes/proxy"], "verbs": ["get"]}

test_denies_any_verb_on_nodes_proxy if {
	every verb in ["get", "list", "create", "*"] {
		count(rbac_nodes_proxy.deny) == 1 with input as role("ClusterRole", [object.union(proxy, {"verbs": [verb]})])
	}
	count(rbac_nodes_proxy.deny) == 1 with input as role("ClusterRole", [object.union(proxy, {"resources": ["*/proxy"]})])
	count(rbac_nodes_proxy.deny) == 1 with input as role("ClusterRole", [object.union(proxy, {"apiGroups": ["*"]})])
	count(rbac_nodes_proxy.deny) == 1 with input as role("ClusterRole", [{"resources": ["nodes/proxy"], "verbs": ["get"]}])
}

test_message_names_resource_rule_and_field if {
	some msg in rbac_nodes_proxy.deny with input as role("ClusterRole", [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get"]}, object.union(proxy, {"resources": ["nodes/metrics", "nodes/proxy"]})])
	contains(msg, "ClusterRole r:")
	contains(msg, "rules[1]")
	contains(msg, "\"nodes/proxy\"")
	contains(msg, "rules[1].resources")
}

test_allows_nodes_metrics_and_stats if {
	count(rbac_nodes_proxy.deny) == 0 with input as role("ClusterRole", [object.union(proxy, {"resources": ["nodes", "nodes/metrics", "nodes/stats"]})])
	count(rbac_nodes_proxy.deny) == 0 with input as role("ClusterRole", [object.union(proxy, {"apiGroups": ["metrics.k8s.io"]})])
	count(rbac_nodes_proxy.deny) == 0 with input as role("ClusterRole", [object.union(proxy, {"verbs": []})])
}

test_ignores_namespaced_roles_and_other_kinds if {
	count(rbac_nodes_proxy.deny) == 0 with input as role("Role", [proxy])
	count(rbac_nodes_proxy.deny) == 0 with input as role("ClusterRoleBinding", [proxy])
}

test_missing_or_malformed_fields_never_crash if {
	count(rbac_nodes_proxy.deny) == 0 with input as {"kind": "ClusterRole"}
	count(rbac_nodes_proxy.deny) == 0 with input as role("ClusterRole", [{}, "nodes/proxy", {"resources": ["nodes/proxy"]}, {"resources": ["nodes/proxy"], "verbs": null}])
}
