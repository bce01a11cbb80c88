package kpc.policies.rbac_system_masters_group_test

import data.kpc.policies.rbac_system_masters_group

binding(kind, subjects) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "b", "namespace": "platform"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}, "subjects": subjects}

masters := {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:masters"}

ops := {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "platform-ops"}

test_denies_system_masters_in_both_binding_kinds if {
	count(rbac_system_masters_group.deny) == 1 with input as binding("ClusterRoleBinding", [masters])
	count(rbac_system_masters_group.deny) == 1 with input as binding("RoleBinding", [ops, masters])
}

test_message_names_resource_and_subject if {
	some msg in rbac_system_masters_group.deny with input as binding("RoleBinding", [ops, masters])
	contains(msg, "RoleBinding platform/b")
	contains(msg, "subjects[1]")
	contains(msg, "Group system:masters")
	some msg2 in rbac_system_masters_group.deny with input as binding("ClusterRoleBinding", [masters])
	startswith(msg2, "ClusterRoleBinding b:")
}

test_allows_other_groups_and_users_named_like_it if {
	count(rbac_system_masters_group.deny) == 0 with input as binding("ClusterRoleBinding", [ops])
	count(rbac_system_masters_group.deny) == 0 with input as binding("ClusterRoleBinding", [{"kind": "User", "name": "system:masters"}])
	count(rbac_system_masters_group.deny) == 0 with input as binding("ClusterRoleBinding", [{"kind": "Group", "name": "system:authenticated"}])
}

test_missing_or_malformed_fields_never_crash if {
	count(rbac_system_masters_group.deny) == 0 with input as {"kind": "ClusterRoleBinding"}
	count(rbac_system_masters_group.deny) == 0 with input as binding("ClusterRoleBinding", {"kind": "Group"})
	count(rbac_system_masters_group.deny) == 0 with input as binding("ClusterRoleBinding", [{}, null, "system:masters"])
}

test_ignores_other_kinds if {
	count(rbac_system_masters_group.deny) == 0 with input as binding("ClusterRole", [masters])
}
