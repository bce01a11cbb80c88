# allowPrivilegeEscalation decides whether the no_new_privs flag is set on the container process;
# it defaults to true, so setuid binaries and file capabilities can raise a process's privileges
# unless the container opts out. Deny every container (all lists) whose
# securityContext.allowPrivilegeEscalation is not explicitly false. Windows pods (spec.os.name
# windows) cannot set the field and are exempt, as in Pod Security Admission.
# PSS Restricted "Privilege Escalation" (restricted.privilege-escalation); CIS 5.2.6.
package kpc.policies.pss_privilege_escalation

import data.kpc.lib.k8s

windows_pod if k8s.pod_spec.os.name == "windows"

deny contains msg if {
	not windows_pod
	some entry in k8s.checked_containers("pss-privilege-escalation")
	not entry.container.securityContext.allowPrivilegeEscalation == false
	msg := sprintf("%s: container %q (%s) %s; set securityContext.allowPrivilegeEscalation=false", [k8s.resource, entry.name, entry.list, current(entry.container)])
}

current(container) := sprintf("sets securityContext.allowPrivilegeEscalation=%v", [value]) if {
	value := container.securityContext.allowPrivilegeEscalation
} else := "does not set securityContext.allowPrivilegeEscalation (it defaults to true)"
