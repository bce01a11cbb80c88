package kpc.policies.rbac_pv_create_test

import data.kpc.policies.rbac_pv_create

role(kind, rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "r"}, "rules": rules}

pv := {"apiGroups": [""], "resources": ["persistentvolumes"], "verbs": ["create"]}

test_denies_create_and_wildcard_verbs if {
	count(rbac_pv_create.deny) == 1 with input as role("ClusterRole", [pv])
	count(rbac_pv_create.deny) == 1 with input as role("ClusterRole", [object.union(pv, {"verbs": ["*"]})])
	count(rbac_pv_create.deny) == 1 with input as role("ClusterRole", [object.union(pv, {"apiGroups": ["*"], "resources": ["persistentvolumeclaims", "persistentvolumes"]})])
	count(rbac_pv_create.deny) == 1 with input as role("ClusterRole", [{"resources": ["persistentvolumes"], "verbs": ["get", "create"]}])
}

test_message_names_resource_rule_and_field if {
	some msg in rbac_pv_create.deny with input as role("ClusterRole", [{"apiGroups": [""], "resources": ["persistentvolumes"], "verbs": ["get"]}, object.union(pv, {"verbs": ["list", "create"]})])
	contains(msg, "ClusterRole r:")
	contains(msg, "rules[1]")
	contains(msg, "[\"create\"]")
	contains(msg, "rules[1].verbs")
}

test_allows_reads_claims_and_other_groups if {
	count(rbac_pv_create.deny) == 0 with input as role("ClusterRole", [object.union(pv, {"verbs": ["get", "list", "watch"]})])
	count(rbac_pv_create.deny) == 0 with input as role("ClusterRole", [object.union(pv, {"resources": ["persistentvolumeclaims"]})])
	count(rbac_pv_create.deny) == 0 with input as role("ClusterRole", [object.union(pv, {"apiGroups": ["storage.k8s.io"]})])
}

test_ignores_namespaced_roles_and_other_kinds if {
	count(rbac_pv_create.deny) == 0 with input as role("Role", [pv])
	count(rbac_pv_create.deny) == 0 with input as role("ClusterRoleBinding", [pv])
}

test_missing_or_malformed_fields_never_crash if {
	count(rbac_pv_create.deny) == 0 with input as {"kind": "ClusterRole"}
	count(rbac_pv_create.deny) == 0 with input as role("ClusterRole", [{}, null, {"resources": ["persistentvolumes"]}, {"resources": "persistentvolumes", "verbs": ["create"]}])
}
