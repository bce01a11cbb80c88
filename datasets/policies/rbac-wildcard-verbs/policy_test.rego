package kpc.policies.rbac_wildcard_verbs_test

import data.kpc.policies.rbac_wildcard_verbs

role(kind, rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "r", "namespace": "shop"}, "rules": rules}

wild := {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["*"]}

explicit := {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "watch", "patch"]}

test_denies_wildcard_verb_in_role_and_clusterrole if {
	count(rbac_wildcard_verbs.deny) == 1 with input as role("Role", [wild])
	count(rbac_wildcard_verbs.deny) == 1 with input as role("ClusterRole", [explicit, wild])
}

test_denies_wildcard_among_other_verbs_and_each_rule if {
	count(rbac_wildcard_verbs.deny) == 1 with input as role("Role", [object.union(wild, {"verbs": ["get", "*"]})])
	count(rbac_wildcard_verbs.deny) == 2 with input as role("ClusterRole", [wild, object.union(wild, {"resources": ["statefulsets"]})])
}

test_message_names_resource_rule_and_field if {
	some msg in rbac_wildcard_verbs.deny with input as role("Role", [explicit, wild])
	contains(msg, "Role shop/r")
	contains(msg, "rules[1]")
	contains(msg, "rules[1].verbs")
	contains(msg, "deployments")
}

test_message_for_cluster_role_and_non_resource_urls if {
	some msg in rbac_wildcard_verbs.deny with input as object.remove(role("ClusterRole", [{"nonResourceURLs": ["/metrics"], "verbs": ["*"]}]), ["metadata"])
	contains(msg, "ClusterRole <unnamed>:")
	contains(msg, "nonResourceURLs [\"/metrics\"]")
	some msg2 in rbac_wildcard_verbs.deny with input as role("ClusterRole", [{"verbs": ["*"]}])
	contains(msg2, "no resources")
}

test_allows_explicit_verbs if {
	count(rbac_wildcard_verbs.deny) == 0 with input as role("Role", [explicit])
	count(rbac_wildcard_verbs.deny) == 0 with input as role("ClusterRole", [object.union(explicit, {"resources": ["*"]})])
}

test_missing_or_malformed_fields_never_crash if {
	count(rbac_wildcard_verbs.deny) == 0 with input as {"kind": "Role"}
	count(rbac_wildcard_verbs.deny) == 0 with input as role("Role", null)
	count(rbac_wildcard_verbs.deny) == 0 with input as role("Role", [{}, "x", {"verbs": null}, {"verbs": "*"}])
}

test_ignores_other_kinds if {
	count(rbac_wildcard_verbs.deny) == 0 with input as object.union(role("RoleBinding", [wild]), {"kind": "RoleBinding"})
}
