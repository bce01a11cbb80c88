package kpc.policies.rbac_secret_read_test

import data.kpc.policies.rbac_secret_read

role(kind, rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "r", "namespace": "payments"}, "rules": rules}

read := {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list", "watch"]}

test_denies_each_read_verb_in_role_and_clusterrole if {
	every verb in ["get", "list", "watch", "*"] {
		count(rbac_secret_read.deny) == 1 with input as role("Role", [object.union(read, {"verbs": [verb]})])
		count(rbac_secret_read.deny) == 1 with input as role("ClusterRole", [object.union(read, {"verbs": [verb]})])
	}
}

test_denies_wildcard_resources_and_groups if {
	count(rbac_secret_read.deny) == 1 with input as role("Role", [object.union(read, {"resources": ["*"]})])
	count(rbac_secret_read.deny) == 1 with input as role("ClusterRole", [object.union(read, {"apiGroups": ["*"]})])
	count(rbac_secret_read.deny) == 1 with input as role("ClusterRole", [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}])
	count(rbac_secret_read.deny) == 1 with input as role("Role", [object.union(read, {"resourceNames": ["tls-cert"]})])
	count(rbac_secret_read.deny) == 1 with input as role("Role", [{"resources": ["secrets"], "verbs": ["get"]}])
}

test_message_names_resource_rule_verbs_and_field if {
	some msg in rbac_secret_read.deny with input as role("Role", [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}, object.union(read, {"resources": ["configmaps", "secrets"], "verbs": ["get", "create"]})])
	contains(msg, "Role payments/r")
	contains(msg, "rules[1]")
	contains(msg, "rules[1].resources [\"secrets\"]")
	contains(msg, "[\"get\"]")
	not contains(msg, "create")
}

test_allows_writes_other_resources_and_groups if {
	count(rbac_secret_read.deny) == 0 with input as role("Role", [object.union(read, {"verbs": ["create", "update", "delete"]})])
	count(rbac_secret_read.deny) == 0 with input as role("Role", [object.union(read, {"resources": ["configmaps", "secrets/status"]})])
	count(rbac_secret_read.deny) == 0 with input as role("ClusterRole", [object.union(read, {"apiGroups": ["apps"], "resources": ["*"]})])
	count(rbac_secret_read.deny) == 0 with input as role("ClusterRole", [object.union(read, {"apiGroups": ["external-secrets.io"]})])
}

test_missing_or_malformed_fields_never_crash if {
	count(rbac_secret_read.deny) == 0 with input as {"kind": "Role"}
	count(rbac_secret_read.deny) == 0 with input as role("Role", [{}, "secrets", {"resources": ["secrets"]}, {"verbs": ["get"]}])
	count(rbac_secret_read.deny) == 0 with input as role("Role", [object.union(read, {"apiGroups": null})])
}

test_ignores_other_kinds if {
	count(rbac_secret_read.deny) == 0 with input as role("RoleBinding", [read])
}
