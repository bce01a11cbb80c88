# A writable root filesystem lets an intruder drop tools or alter binaries and config inside the
# container; the house standard mounts it read-only (writable paths come from emptyDir volumes).
# Deny every container (all lists) whose securityContext.readOnlyRootFilesystem is not explicitly
# true. Windows pods (spec.os.name windows) cannot set the field and are exempt.
# No PSS control (hardening beyond Restricted).
package kpc.policies.container_readonly_rootfs

import data.kpc.lib.k8s

windows_pod if k8s.pod_spec.os.name == "windows"

deny contains msg if {
	not windows_pod
	some entry in k8s.checked_containers("container-readonly-rootfs")
	not entry.container.securityContext.readOnlyRootFilesystem == true
	msg := sprintf("%s: container %q (%s) %s; set securityContext.readOnlyRootFilesystem=true and mount emptyDir volumes where it must write", [k8s.resource, entry.name, entry.list, current(entry.container)])
}

current(container) := sprintf("sets securityContext.readOnlyRootFilesystem=%v", [value]) if {
	value := container.securityContext.readOnlyRootFilesystem
} else := "does not set securityContext.readOnlyRootFilesystem (it defaults to false)"
