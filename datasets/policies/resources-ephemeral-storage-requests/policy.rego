# The scheduler places pods by their requests: without an ephemeral-storage request a pod that
# writes logs, caches or emptyDir scratch data lands on a node whose disk is already promised to
# others, and the kubelet evicts pods when the disk fills.
# Checked in containers and initContainers of every workload kind; ephemeralContainers cannot
# declare resources. An empty or null value counts as missing. With the parameter `max` (a quantity
# such as "2Gi"; default none), a request above it is denied too.
package kpc.policies.resources_ephemeral_storage_requests

import data.kpc.lib.k8s

deny contains msg if {
	some entry in k8s.checked_containers("resources-ephemeral-storage-requests")
	entry.list in {"containers", "initContainers"}
	not has_value(entry.container)
	msg := sprintf(
		"%s: container %q (%s) sets no resources.requests.ephemeral-storage (%s.resources.requests.ephemeral-storage); request the disk space it needs, e.g. \"256Mi\"",
		[k8s.resource, entry.name, entry.list, entry.path],
	)
}

has_value(c) if {
	value := c.resources.requests["ephemeral-storage"]
	value != null
	value != ""
}

# With the parameter max (a quantity such as "8Gi"; default null: no maximum), a value above it
# is denied as well.
deny contains msg if {
	some entry in k8s.checked_containers("resources-ephemeral-storage-requests")
	entry.list in {"containers", "initContainers"}
	value := entry.container.resources.requests["ephemeral-storage"]
	maximum := k8s.param("resources-ephemeral-storage-requests", "max", null)
	k8s.exceeds_maximum(value, maximum)
	msg := sprintf(
		"%s: container %q (%s) sets resources.requests.ephemeral-storage %v, above the maximum %v (%s.resources.requests.ephemeral-storage); lower it to at most %v",
		[k8s.resource, entry.name, entry.list, value, maximum, entry.path, maximum],
	)
}
