# GID 0 gives a process the root group's access to files on volumes and in the image (group-writable
# system paths, root-group-owned secrets). Deny runAsGroup=0 on the pod or any container (all
# lists), fsGroup=0 on the pod, and 0 in the pod's supplementalGroups. Unset fields are allowed.
# The parameters run_as_group and fs_group, ranges {"min": …, "max": …} (default null: any non-zero
# GID), also deny a runAsGroup (pod or container) or fsGroup set outside them.
# PSS Restricted "Non-root groups" (an optional control, outside the PSS_CONTROLS ids).
package kpc.policies.pod_run_as_root_group

import data.kpc.lib.k8s

deny contains msg if {
	some field in ["runAsGroup", "fsGroup"]
	k8s.pod_spec.securityContext[field] == 0
	msg := sprintf("%s: %s.securityContext.%s=0; the pod must not run with the root group (use a non-zero GID)", [k8s.resource, k8s.pod_spec_path, field])
}

deny contains msg if {
	some i, gid in k8s.pod_spec.securityContext.supplementalGroups
	gid == 0
	msg := sprintf("%s: %s.securityContext.supplementalGroups[%d]=0; the pod must not run with the root group as a supplementary group", [k8s.resource, k8s.pod_spec_path, i])
}

deny contains msg if {
	some entry in k8s.checked_containers("pod-run-as-root-group")
	entry.container.securityContext.runAsGroup == 0
	msg := sprintf("%s: container %q (%s) sets securityContext.runAsGroup=0; containers must not run with the root group (use a non-zero GID)", [k8s.resource, entry.name, entry.list])
}

range_params := {"runAsGroup": "run_as_group", "fsGroup": "fs_group"}

deny contains msg if {
	some field, name in range_params
	range := k8s.param("pod-run-as-root-group", name, null)
	gid := k8s.pod_spec.securityContext[field]
	k8s.outside_range(gid, range)
	msg := sprintf("%s: %s.securityContext.%s=%v is outside the allowed GID range %s", [k8s.resource, k8s.pod_spec_path, field, gid, k8s.describe_range(range)])
}

deny contains msg if {
	range := k8s.param("pod-run-as-root-group", "run_as_group", null)
	some entry in k8s.checked_containers("pod-run-as-root-group")
	gid := entry.container.securityContext.runAsGroup
	k8s.outside_range(gid, range)
	msg := sprintf("%s: container %q (%s) sets securityContext.runAsGroup=%v, outside the allowed GID range %s", [k8s.resource, entry.name, entry.list, gid, k8s.describe_range(range)])
}
