package kpc.policies.rbac_default_sa_binding_test

import data.kpc.policies.rbac_default_sa_binding

binding(kind, subjects) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "b", "namespace": "shop"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"}, "subjects": subjects}

default_sa := {"kind": "ServiceAccount", "name": "default", "namespace": "shop"}

dedicated := {"kind": "ServiceAccount", "name": "storefront", "namespace": "shop"}

test_denies_default_service_account_in_both_binding_kinds if {
	count(rbac_default_sa_binding.deny) == 1 with input as binding("RoleBinding", [default_sa])
	count(rbac_default_sa_binding.deny) == 1 with input as binding("ClusterRoleBinding", [dedicated, object.union(default_sa, {"namespace": "data"})])
	count(rbac_default_sa_binding.deny) == 2 with input as binding("ClusterRoleBinding", [default_sa, object.union(default_sa, {"namespace": "data"})])
}

test_message_names_resource_subject_and_role if {
	some msg in rbac_default_sa_binding.deny with input as binding("RoleBinding", [dedicated, default_sa])
	contains(msg, "RoleBinding shop/b")
	contains(msg, "subjects[1]")
	contains(msg, "ServiceAccount shop/default")
	contains(msg, "Role reader")
}

test_subject_namespace_defaults if {
	some msg in rbac_default_sa_binding.deny with input as binding("RoleBinding", [{"kind": "ServiceAccount", "name": "default"}])
	contains(msg, "shop/default")
	some msg2 in rbac_default_sa_binding.deny with input as object.remove(binding("ClusterRoleBinding", [{"kind": "ServiceAccount", "name": "default"}]), ["roleRef"])
	contains(msg2, "<no namespace>/default")
	contains(msg2, "no roleRef")
}

test_allows_dedicated_accounts_and_other_subject_kinds if {
	count(rbac_default_sa_binding.deny) == 0 with input as binding("RoleBinding", [dedicated])
	count(rbac_default_sa_binding.deny) == 0 with input as binding("RoleBinding", [{"kind": "User", "name": "default"}, {"kind": "Group", "name": "default"}])
}

test_missing_or_malformed_fields_never_crash if {
	count(rbac_default_sa_binding.deny) == 0 with input as {"kind": "RoleBinding"}
	count(rbac_default_sa_binding.deny) == 0 with input as binding("RoleBinding", null)
	count(rbac_default_sa_binding.deny) == 0 with input as binding("RoleBinding", [{}, "default", {"kind": "ServiceAccount"}])
}

test_ignores_other_kinds if {
	count(rbac_default_sa_binding.deny) == 0 with input as binding("Role", [default_sa])
}
