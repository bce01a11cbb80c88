package kpc.policies.rbac_cluster_admin_binding_test

import data.kpc.policies.rbac_cluster_admin_binding

admin_ref := {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"}

binding(kind, ref, subjects) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "b", "namespace": "platform"}, "roleRef": ref, "subjects": subjects}

sa(ns, name) := {"kind": "ServiceAccount", "name": name, "namespace": ns}

ops := {"kind": "Group", "name": "ops", "apiGroup": "rbac.authorization.k8s.io"}

test_denies_cluster_admin_in_both_binding_kinds if {
	count(rbac_cluster_admin_binding.deny) == 1 with input as binding("ClusterRoleBinding", admin_ref, [ops])
	count(rbac_cluster_admin_binding.deny) == 1 with input as binding("RoleBinding", admin_ref, [sa("platform", "ci")])
	count(rbac_cluster_admin_binding.deny) == 2 with input as binding("ClusterRoleBinding", admin_ref, [ops, sa("platform", "ci")])
}

test_denies_binding_without_subjects if {
	some msg in rbac_cluster_admin_binding.deny with input as binding("ClusterRoleBinding", admin_ref, [])
	contains(msg, "no subjects")
	count(rbac_cluster_admin_binding.deny) == 1 with input as object.remove(binding("ClusterRoleBinding", admin_ref, []), ["subjects"])
}

test_message_names_resource_subject_and_field if {
	some msg in rbac_cluster_admin_binding.deny with input as binding("ClusterRoleBinding", admin_ref, [ops, {"kind": "User", "name": "jane@example.com"}])
	contains(msg, "ClusterRoleBinding b:")
	contains(msg, "roleRef")
	contains(msg, "subjects[1] User:jane@example.com")
	some msg2 in rbac_cluster_admin_binding.deny with input as binding("RoleBinding", admin_ref, [{"kind": "ServiceAccount", "name": "ci"}])
	contains(msg2, "RoleBinding platform/b")
	contains(msg2, "subjects[0] ServiceAccount:platform/ci")
}

test_allowed_subjects_parameter if {
	params := {"rbac-cluster-admin-binding": {"allowed_subjects": ["Group:ops", "ServiceAccount:platform/ci"]}}
	count(rbac_cluster_admin_binding.deny) == 0 with input as binding("ClusterRoleBinding", admin_ref, [ops, sa("platform", "ci")]) with data.kpc.params as params
	count(rbac_cluster_admin_binding.deny) == 1 with input as binding("ClusterRoleBinding", admin_ref, [ops, sa("shop", "ci")]) with data.kpc.params as params
	count(rbac_cluster_admin_binding.deny) == 1 with input as binding("ClusterRoleBinding", admin_ref, [{"kind": "ServiceAccount", "name": "ci"}]) with data.kpc.params as params
}

test_allows_other_roles if {
	count(rbac_cluster_admin_binding.deny) == 0 with input as binding("ClusterRoleBinding", object.union(admin_ref, {"name": "view"}), [ops])
	count(rbac_cluster_admin_binding.deny) == 0 with input as binding("RoleBinding", object.union(admin_ref, {"kind": "Role"}), [ops])
	count(rbac_cluster_admin_binding.deny) == 0 with input as binding("RoleBinding", {"kind": "ClusterRole", "name": "admin"}, [ops])
}

test_missing_or_malformed_fields_never_crash if {
	count(rbac_cluster_admin_binding.deny) == 0 with input as {"kind": "ClusterRoleBinding"}
	count(rbac_cluster_admin_binding.deny) == 0 with input as binding("ClusterRoleBinding", null, [ops])
	count(rbac_cluster_admin_binding.deny) == 1 with input as binding("ClusterRoleBinding", admin_ref, "ops")
	count(rbac_cluster_admin_binding.deny) == 1 with input as binding("ClusterRoleBinding", admin_ref, [{}])
}

test_ignores_other_kinds if {
	count(rbac_cluster_admin_binding.deny) == 0 with input as binding("ClusterRole", admin_ref, [ops])
}
