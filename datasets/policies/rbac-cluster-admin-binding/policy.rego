# cluster-admin is the superuser role: bound by a ClusterRoleBinding it gives full control of the
# cluster, bound by a RoleBinding full control of the namespace (secrets, RBAC, workloads). Deny
# every binding of the ClusterRole cluster-admin, except to subjects listed in the parameter
# allowed_subjects ("User:<name>", "Group:<name>", "ServiceAccount:<namespace>/<name>"). A binding
# without subjects is denied too: it is one edit away from granting the superuser role.
# CIS Kubernetes Benchmark 5.1.1 (use cluster-admin only where required).
package kpc.policies.rbac_cluster_admin_binding

import data.kpc.lib.k8s

binding_kinds := {"RoleBinding", "ClusterRoleBinding"}

binds_cluster_admin if {
	binding_kinds[input.kind]
	object.get(input.roleRef, "kind", "") == "ClusterRole"
	object.get(input.roleRef, "name", "") == "cluster-admin"
}

subjects := input.subjects if is_array(input.subjects)

else := []

allowed_subjects := {s | some s in k8s.param("rbac-cluster-admin-binding", "allowed_subjects", [])}

# "ServiceAccount:<namespace>/<name>" (a RoleBinding's subjects default to its own namespace).
subject_key(s) := sprintf("ServiceAccount:%s/%s", [object.get(s, "namespace", default_sa_namespace), object.get(s, "name", "")]) if {
	s.kind == "ServiceAccount"
} else := sprintf("%s:%s", [object.get(s, "kind", ""), object.get(s, "name", "")])

default_sa_namespace := k8s.namespace if input.kind == "RoleBinding"

else := ""

deny contains msg if {
	binds_cluster_admin
	some i, subject in subjects
	key := subject_key(subject)
	not allowed_subjects[key]
	msg := sprintf(
		"%s: roleRef binds ClusterRole cluster-admin to subjects[%d] %s; bind a role with only the permissions needed (or list the subject in allowed_subjects)",
		[k8s.resource, i, key],
	)
}

deny contains msg if {
	binds_cluster_admin
	count(subjects) == 0
	msg := sprintf(
		"%s: roleRef binds ClusterRole cluster-admin (with no subjects yet); bind a role with only the permissions needed",
		[k8s.resource],
	)
}
