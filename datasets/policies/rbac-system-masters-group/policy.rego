# Members of the group system:masters bypass RBAC and admission webhooks entirely, and their
# rights cannot be revoked by removing a binding. A binding that names the group is either
# pointless or a sign that credentials for it are being handed out: deny any RoleBinding or
# ClusterRoleBinding with a subject Group system:masters. (Related: CIS 5.1.1, 5.1.7.)
package kpc.policies.rbac_system_masters_group

import data.kpc.lib.k8s

binding_kinds := {"RoleBinding", "ClusterRoleBinding"}

deny contains msg if {
	binding_kinds[input.kind]
	some i, subject in object.get(input, "subjects", [])
	subject.kind == "Group"
	subject.name == "system:masters"
	msg := sprintf(
		"%s: subjects[%d] is Group system:masters, which bypasses RBAC and cannot be revoked; bind a dedicated group with a narrower role",
		[k8s.resource, i],
	)
}
