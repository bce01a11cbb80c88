package kpc.policies.rbac_webhook_config_test

import data.kpc.policies.rbac_webhook_config

role(kind, rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "r"}, "rules": rules}

hooks := {"apiGroups": ["admissionregistration.k8s.io"], "resources": ["validatingwebhookconfigurations"], "verbs": ["update"]}

test_denies_each_write_verb if {
	every verb in ["create", "update", "patch", "delete", "deletecollection", "*"] {
		count(rbac_webhook_config.deny) == 1 with input as role("ClusterRole", [object.union(hooks, {"verbs": [verb]})])
	}
}

test_denies_both_kinds_and_wildcard_group if {
	count(rbac_webhook_config.deny) == 2 with input as role("ClusterRole", [object.union(hooks, {"resources": ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"]})])
	count(rbac_webhook_config.deny) == 1 with input as role("ClusterRole", [object.union(hooks, {"apiGroups": ["*"], "resources": ["mutatingwebhookconfigurations"]})])
}

test_message_names_resource_rule_verbs_and_field if {
	some msg in rbac_webhook_config.deny with input as role("ClusterRole", [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}, object.union(hooks, {"verbs": ["get", "patch"], "resources": ["mutatingwebhookconfigurations"]})])
	contains(msg, "ClusterRole r:")
	contains(msg, "rules[1]")
	contains(msg, "[\"patch\"]")
	contains(msg, "mutatingwebhookconfigurations")
	contains(msg, "rules[1].resources")
}

test_allows_reads_and_other_groups if {
	count(rbac_webhook_config.deny) == 0 with input as role("ClusterRole", [object.union(hooks, {"verbs": ["get", "list", "watch"]})])
	count(rbac_webhook_config.deny) == 0 with input as role("ClusterRole", [object.union(hooks, {"apiGroups": [""]})])
	count(rbac_webhook_config.deny) == 0 with input as role("ClusterRole", [object.union(hooks, {"resources": ["validatingadmissionpolicies"]})])
}

test_ignores_namespaced_roles_and_other_kinds if {
	count(rbac_webhook_config.deny) == 0 with input as role("Role", [hooks])
	count(rbac_webhook_config.deny) == 0 with input as role("ClusterRoleBinding", [hooks])
}

test_missing_or_malformed_fields_never_crash if {
	count(rbac_webhook_config.deny) == 0 with input as {"kind": "ClusterRole"}
	count(rbac_webhook_config.deny) == 0 with input as role("ClusterRole", [{}, "x", object.remove(hooks, ["apiGroups"]), object.remove(hooks, ["verbs"])])
}
