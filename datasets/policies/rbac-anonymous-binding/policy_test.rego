package kpc.policies.rbac_anonymous_binding_test

import data.kpc.policies.rbac_anonymous_binding as anonymous

binding(kind, role, subjects) := {
	"apiVersion": "rbac.authorization.k8s.io/v1",
	"kind": kind,
	"metadata": {"name": "b", "namespace": "shop"},
	"roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
	"subjects": subjects,
}

group(name) := {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": name}

user(name) := {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": name}

sa := {"kind": "ServiceAccount", "name": "web", "namespace": "shop"}

test_denies_anonymous_and_unauthenticated_in_both_kinds if {
	every kind in ["RoleBinding", "ClusterRoleBinding"] {
		count(anonymous.deny) == 1 with input as binding(kind, "view", [user("system:anonymous")])
		count(anonymous.deny) == 1 with input as binding(kind, "view", [group("system:unauthenticated")])
		count(anonymous.deny) == 1 with input as binding(kind, "edit", [sa, group("system:anonymous")])
	}
}

test_every_matching_subject_is_reported if {
	count(anonymous.deny) == 2 with input as binding("ClusterRoleBinding", "view", [sa, user("system:anonymous"), group("system:unauthenticated")])
}

test_message_names_binding_subject_and_role if {
	some msg in anonymous.deny with input as binding("RoleBinding", "pod-reader", [sa, group("system:unauthenticated")])
	contains(msg, "RoleBinding shop/b")
	contains(msg, `subjects[1] is Group "system:unauthenticated"`)
	contains(msg, `binds ClusterRole "pod-reader"`)
	contains(msg, "to anyone who reaches the API server, without credentials")
}

test_authenticated_only_with_the_parameter if {
	b := binding("ClusterRoleBinding", "view", [group("system:authenticated")])
	count(anonymous.deny) == 0 with input as b
	count(anonymous.deny) == 1 with input as b with data.kpc.params as {"rbac-anonymous-binding": {"deny_authenticated": true}}
	some msg in anonymous.deny with input as b with data.kpc.params as {"rbac-anonymous-binding": {"deny_authenticated": true}}
	contains(msg, "to every user and service account that presents valid credentials")
}

test_allowed_cluster_roles if {
	count(anonymous.deny) == 0 with input as binding("ClusterRoleBinding", "system:public-info-viewer", [group("system:unauthenticated")])
	count(anonymous.deny) == 1 with input as binding("ClusterRoleBinding", "system:public-info-viewer", [group("system:unauthenticated")]) with data.kpc.params as {"rbac-anonymous-binding": {"allowed_cluster_roles": []}}
	count(anonymous.deny) == 0 with input as binding("ClusterRoleBinding", "status", [user("system:anonymous")]) with data.kpc.params as {"rbac-anonymous-binding": {"allowed_cluster_roles": ["status"]}}

	# a Role of the same name is not the allowed ClusterRole
	role_binding := json.patch(binding("RoleBinding", "system:public-info-viewer", [user("system:anonymous")]), [{"op": "replace", "path": "/roleRef/kind", "value": "Role"}])
	count(anonymous.deny) == 1 with input as role_binding
}

test_allows_named_subjects_and_other_names if {
	count(anonymous.deny) == 0 with input as binding("RoleBinding", "view", [sa, user("alice@example.com"), group("system:serviceaccounts:shop"), user("System:Anonymous")])
	count(anonymous.deny) == 0 with input as binding("RoleBinding", "view", [{"kind": "ServiceAccount", "name": "system:anonymous"}])
}

test_malformed_never_crashes if {
	count(anonymous.deny) == 0 with input as {"kind": "RoleBinding", "subjects": "x"}
	count(anonymous.deny) == 0 with input as {"kind": "ClusterRoleBinding"}
	count(anonymous.deny) == 1 with input as {"kind": "ClusterRoleBinding", "subjects": [user("system:anonymous")]}
	count(anonymous.deny) == 0 with input as {"kind": "Role", "subjects": [user("system:anonymous")]}
}
