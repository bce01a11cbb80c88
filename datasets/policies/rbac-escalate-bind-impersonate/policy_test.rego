package kpc.policies.rbac_escalate_bind_impersonate_test

import data.kpc.policies.rbac_escalate_bind_impersonate

role(kind, rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "r", "namespace": "platform"}, "rules": rules}

rbac_rule(verbs) := {"apiGroups": ["rbac.authorization.k8s.io"], "resources": ["roles", "rolebindings"], "verbs": verbs}

test_denies_each_escalation_verb_in_role_and_clusterrole if {
	count(rbac_escalate_bind_impersonate.deny) == 1 with input as role("Role", [rbac_rule(["get", "escalate"])])
	count(rbac_escalate_bind_impersonate.deny) == 1 with input as role("ClusterRole", [rbac_rule(["bind"])])
	count(rbac_escalate_bind_impersonate.deny) == 1 with input as role("ClusterRole", [{"apiGroups": [""], "resources": ["users", "groups", "serviceaccounts"], "verbs": ["impersonate"]}])
	count(rbac_escalate_bind_impersonate.deny) == 3 with input as role("ClusterRole", [rbac_rule(["escalate", "bind"]), {"apiGroups": [""], "resources": ["users"], "verbs": ["impersonate"]}])
}

test_message_names_resource_rule_verb_and_field if {
	some msg in rbac_escalate_bind_impersonate.deny with input as role("Role", [rbac_rule(["get"]), rbac_rule(["bind"])])
	contains(msg, "Role platform/r")
	contains(msg, "rules[1]")
	contains(msg, "\"bind\"")
	contains(msg, "rules[1].verbs")
	contains(msg, "rolebindings")
}

test_allows_ordinary_verbs_and_leaves_wildcards_to_the_wildcard_policy if {
	count(rbac_escalate_bind_impersonate.deny) == 0 with input as role("Role", [rbac_rule(["get", "list", "watch", "create"])])
	count(rbac_escalate_bind_impersonate.deny) == 0 with input as role("ClusterRole", [rbac_rule(["*"])])
}

test_missing_or_malformed_fields_never_crash if {
	count(rbac_escalate_bind_impersonate.deny) == 0 with input as {"kind": "ClusterRole"}
	count(rbac_escalate_bind_impersonate.deny) == 0 with input as role("Role", [{}, null, {"verbs": "bind"}])
	count(rbac_escalate_bind_impersonate.deny) == 1 with input as role("Role", [{"verbs": ["bind"]}])
}

test_ignores_other_kinds if {
	count(rbac_escalate_bind_impersonate.deny) == 0 with input as role("ClusterRoleBinding", [rbac_rule(["bind"])])
}
