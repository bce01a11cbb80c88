# A binding to the anonymous user or the unauthenticated group grants its role to anyone who can
# reach the API server, with no credentials at all; system:authenticated is every user and
# service account of the cluster (and, on some managed clusters, any account of the provider).
# Deny RoleBinding and ClusterRoleBinding subjects User system:anonymous and Group
# system:unauthenticated, and Group system:authenticated when the deny_authenticated parameter is
# true (default false). Bindings to the ClusterRoles of allowed_cluster_roles (default the
# built-in system:public-info-viewer: /healthz, /livez, /readyz, /version) are not denied.
# Related: CIS Kubernetes Benchmark 1.2.1 (anonymous requests should reach nothing but health and version).
package kpc.policies.rbac_anonymous_binding

import data.kpc.lib.k8s

binding_kinds := {"RoleBinding", "ClusterRoleBinding"}

# subject kind → names that stand for "anyone"
anonymous := {"User": {"system:anonymous"}, "Group": {"system:unauthenticated", "system:anonymous"}}

deny_authenticated := k8s.param("rbac-anonymous-binding", "deny_authenticated", false)

allowed_cluster_roles := k8s.param("rbac-anonymous-binding", "allowed_cluster_roles", ["system:public-info-viewer"])

everyone(subject) if subject.name in anonymous[subject.kind]

everyone(subject) if {
	deny_authenticated == true
	subject.kind == "Group"
	subject.name == "system:authenticated"
}

allowed_role if {
	input.roleRef.kind == "ClusterRole"
	input.roleRef.name in allowed_cluster_roles
}

deny contains msg if {
	binding_kinds[input.kind]
	not allowed_role
	some i, subject in k8s.as_array(object.get(input, "subjects", []))
	everyone(subject)
	msg := sprintf(
		"%s: subjects[%d] is %s %q, which binds %s %q to %s; bind named users, groups or service accounts instead",
		[k8s.resource, i, subject.kind, subject.name, object.get(input, ["roleRef", "kind"], "role"), object.get(input, ["roleRef", "name"], ""), who(subject.name)],
	)
}

who(name) := "every user and service account that presents valid credentials" if {
	name == "system:authenticated"
} else := "anyone who reaches the API server, without credentials"
