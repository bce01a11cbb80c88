# Every pod that names no service account runs as its namespace's "default" ServiceAccount, so a
# role bound to "default" is silently granted to all of them. Bind roles to a dedicated
# ServiceAccount per workload instead. Denies any RoleBinding or ClusterRoleBinding subject of
# kind ServiceAccount named "default", whatever the namespace and the role.
# CIS Kubernetes Benchmark 5.1.5 (ensure default service accounts are not actively used).
package kpc.policies.rbac_default_sa_binding

import data.kpc.lib.k8s

binding_kinds := {"RoleBinding", "ClusterRoleBinding"}

deny contains msg if {
	binding_kinds[input.kind]
	some i, subject in object.get(input, "subjects", [])
	subject.kind == "ServiceAccount"
	subject.name == "default"
	msg := sprintf(
		"%s: subjects[%d] is ServiceAccount %s/default (bound to %s); bind a dedicated service account instead of the namespace default",
		[k8s.resource, i, object.get(subject, "namespace", subject_namespace), role_ref],
	)
}

subject_namespace := k8s.namespace if input.kind == "RoleBinding"

else := "<no namespace>"

role_ref := sprintf("%s %s", [object.get(input.roleRef, "kind", "?"), object.get(input.roleRef, "name", "?")]) if {
	is_object(input.roleRef)
} else := "no roleRef"
