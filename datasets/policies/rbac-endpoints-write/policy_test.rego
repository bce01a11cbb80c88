package kpc.policies.rbac_endpoints_write_test

import data.kpc.policies.rbac_endpoints_write as endpoints

aggregated := {"rbac.authorization.k8s.io/aggregate-to-edit": "true"}

role(kind, labels, rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "r", "namespace": "shop", "labels": labels}, "rules": rules}

endpoints_rule(verbs) := {"apiGroups": [""], "resources": ["endpoints"], "verbs": verbs}

slices_rule(verbs) := {"apiGroups": ["discovery.k8s.io"], "resources": ["endpointslices"], "verbs": verbs}

test_denies_writes_in_aggregated_cluster_roles if {
	every label in ["rbac.authorization.k8s.io/aggregate-to-admin", "rbac.authorization.k8s.io/aggregate-to-edit", "rbac.authorization.k8s.io/aggregate-to-view"] {
		every verb in ["create", "update", "patch", "*"] {
			count(endpoints.deny) == 1 with input as role("ClusterRole", {label: "true"}, [endpoints_rule([verb])])
			count(endpoints.deny) == 1 with input as role("ClusterRole", {label: "true"}, [slices_rule(["get", verb])])
		}
	}
}

test_denies_wildcard_groups_and_resources if {
	count(endpoints.deny) == 2 with input as role("ClusterRole", aggregated, [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["update"]}])
	count(endpoints.deny) == 1 with input as role("ClusterRole", aggregated, [{"resources": ["endpoints"], "verbs": ["patch"]}])
	count(endpoints.deny) == 1 with input as role("ClusterRole", aggregated, [{"apiGroups": ["*"], "resources": ["endpointslices"], "verbs": ["create"]}])
}

test_message_names_rule_verbs_resources_and_label if {
	some msg in endpoints.deny with input as role("ClusterRole", aggregated, [endpoints_rule(["get"]), {"apiGroups": [""], "resources": ["services", "endpoints"], "verbs": ["get", "patch", "update"]}])
	contains(msg, "ClusterRole r")
	contains(msg, `rules[1] grants ["patch", "update"] on endpoints`)
	contains(msg, `(rules[1].resources ["endpoints"])`)
	contains(msg, "rbac.authorization.k8s.io/aggregate-to-edit=true")
	contains(msg, "CVE-2021-25740")
}

test_allows_reads_other_resources_and_non_aggregated_roles if {
	count(endpoints.deny) == 0 with input as role("ClusterRole", aggregated, [endpoints_rule(["get", "list", "watch"]), slices_rule(["list", "delete"])])
	count(endpoints.deny) == 0 with input as role("ClusterRole", aggregated, [{"apiGroups": ["apps"], "resources": ["*"], "verbs": ["*"]}])
	count(endpoints.deny) == 0 with input as role("ClusterRole", aggregated, [{"apiGroups": [""], "resources": ["endpointslices"], "verbs": ["*"]}])
	count(endpoints.deny) == 0 with input as role("ClusterRole", {"rbac.authorization.k8s.io/aggregate-to-edit": "false"}, [endpoints_rule(["*"])])
	count(endpoints.deny) == 0 with input as role("ClusterRole", {}, [endpoints_rule(["*"])])
	count(endpoints.deny) == 0 with input as role("Role", aggregated, [endpoints_rule(["*"])])
}

test_all_roles_parameter if {
	params := {"rbac-endpoints-write": {"all_roles": true}}
	count(endpoints.deny) == 1 with input as role("Role", {}, [endpoints_rule(["create"])]) with data.kpc.params as params
	count(endpoints.deny) == 1 with input as role("ClusterRole", {}, [slices_rule(["patch"])]) with data.kpc.params as params
	some msg in endpoints.deny with input as role("Role", {}, [endpoints_rule(["create"])]) with data.kpc.params as params
	contains(msg, "all_roles is set")
	count(endpoints.deny) == 0 with input as role("RoleBinding", {}, [endpoints_rule(["create"])]) with data.kpc.params as params
}

test_aggregation_labels_and_exempt_roles_parameters if {
	custom := {"example.com/aggregate-to-ops": "true"}
	count(endpoints.deny) == 0 with input as role("ClusterRole", custom, [endpoints_rule(["create"])])
	count(endpoints.deny) == 1 with input as role("ClusterRole", custom, [endpoints_rule(["create"])]) with data.kpc.params as {"rbac-endpoints-write": {"aggregation_labels": ["example.com/aggregate-to-ops"]}}
	count(endpoints.deny) == 0 with input as role("ClusterRole", aggregated, [endpoints_rule(["create"])]) with data.kpc.params as {"rbac-endpoints-write": {"exempt_roles": ["r"]}}
	count(endpoints.deny) == 1 with input as role("ClusterRole", aggregated, [endpoints_rule(["create"])]) with data.kpc.params as {"rbac-endpoints-write": {"exempt_roles": ["system:*"]}}
}

test_malformed_never_crashes if {
	count(endpoints.deny) == 0 with input as role("ClusterRole", aggregated, "rules")
	count(endpoints.deny) == 0 with input as role("ClusterRole", aggregated, [{"apiGroups": "x", "resources": "endpoints", "verbs": "*"}, {}, "rule"])
}

test_a_role_aggregated_into_several_roles_is_judged_once if {
	labels := {"rbac.authorization.k8s.io/aggregate-to-admin": "true", "rbac.authorization.k8s.io/aggregate-to-edit": "true"}
	denials := endpoints.deny with input as role("ClusterRole", labels, [endpoints_rule(["create"])])
	count(denials) == 1
	some msg in denials
	contains(msg, "rbac.authorization.k8s.io/aggregate-to-admin=true")
}
