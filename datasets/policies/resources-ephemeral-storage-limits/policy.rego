# Container logs, writable layers and emptyDir scratch space share the node disk: without an
# ephemeral-storage limit one container can fill it, and the kubelet then evicts every pod on the node.
# Checked in containers and initContainers of every workload kind; ephemeralContainers cannot
# declare resources. An empty or null value counts as missing; a LimitRange default is not seen
# here, so the limit has to be in the manifest.
package kpc.policies.resources_ephemeral_storage_limits

import data.kpc.lib.k8s

deny contains msg if {
	some entry in k8s.checked_containers("resources-ephemeral-storage-limits")
	entry.list in {"containers", "initContainers"}
	not has_value(entry.container)
	msg := sprintf(
		"%s: container %q (%s) sets no resources.limits.ephemeral-storage (%s.resources.limits.ephemeral-storage); set an ephemeral-storage limit, e.g. \"1Gi\"",
		[k8s.resource, entry.name, entry.list, entry.path],
	)
}

has_value(c) if {
	value := c.resources.limits["ephemeral-storage"]
	value != null
	value != ""
}

# With the parameter max (a quantity such as "8Gi"; default null: no maximum), a value above it
# is denied as well.
deny contains msg if {
	some entry in k8s.checked_containers("resources-ephemeral-storage-limits")
	entry.list in {"containers", "initContainers"}
	value := entry.container.resources.limits["ephemeral-storage"]
	maximum := k8s.param("resources-ephemeral-storage-limits", "max", null)
	k8s.exceeds_maximum(value, maximum)
	msg := sprintf(
		"%s: container %q (%s) sets resources.limits.ephemeral-storage %v, above the maximum %v (%s.resources.limits.ephemeral-storage); lower it to at most %v",
		[k8s.resource, entry.name, entry.list, value, maximum, entry.path, maximum],
	)
}
