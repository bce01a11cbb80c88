package kpc.policies.rbac_wildcard_resources_test

import data.kpc.policies.rbac_wildcard_resources

role(kind, rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "r", "namespace": "shop"}, "rules": rules}

wild_apps := {"apiGroups": ["apps"], "resources": ["*"], "verbs": ["get", "list"]}

wild_all := {"apiGroups": ["*"], "resources": ["*"], "verbs": ["get"]}

named := {"apiGroups": ["apps"], "resources": ["deployments", "deployments/scale"], "verbs": ["get", "patch"]}

test_denies_wildcard_resources_in_role_and_clusterrole if {
	count(rbac_wildcard_resources.deny) == 1 with input as role("Role", [wild_apps])
	count(rbac_wildcard_resources.deny) == 1 with input as role("ClusterRole", [named, wild_all])
	count(rbac_wildcard_resources.deny) == 2 with input as role("ClusterRole", [wild_apps, wild_all])
	count(rbac_wildcard_resources.deny) == 1 with input as role("Role", [object.union(named, {"resources": ["deployments", "*"]})])
}

test_message_names_resource_rule_field_and_scope if {
	some msg in rbac_wildcard_resources.deny with input as role("ClusterRole", [named, wild_all])
	contains(msg, "ClusterRole r:")
	contains(msg, "rules[1].resources")
	contains(msg, "every resource of every API group")
	some msg2 in rbac_wildcard_resources.deny with input as role("Role", [wild_apps])
	contains(msg2, "Role shop/r")
	contains(msg2, "apiGroups [\"apps\"]")
	not contains(msg2, "every API group")
}

test_allows_named_resources_even_in_every_group if {
	count(rbac_wildcard_resources.deny) == 0 with input as role("Role", [named])
	count(rbac_wildcard_resources.deny) == 0 with input as role("ClusterRole", [{"apiGroups": ["*"], "resources": ["deployments", "*/scale"], "verbs": ["get"]}])
	count(rbac_wildcard_resources.deny) == 0 with input as role("ClusterRole", [{"nonResourceURLs": ["*"], "verbs": ["get"]}])
}

test_missing_or_malformed_fields_never_crash if {
	count(rbac_wildcard_resources.deny) == 0 with input as {"kind": "ClusterRole"}
	count(rbac_wildcard_resources.deny) == 0 with input as role("Role", [{}, 3, {"resources": null}])
	count(rbac_wildcard_resources.deny) == 1 with input as role("Role", [{"resources": ["*"]}])
}

test_ignores_other_kinds if {
	count(rbac_wildcard_resources.deny) == 0 with input as role("ClusterRoleBinding", [wild_all])
}
