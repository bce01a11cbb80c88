# Without a memory limit a leaking container grows until the node runs out of memory and the kernel
# kills whatever it picks, possibly other tenants; with a limit only the leaking container dies.
# Checked in containers and initContainers of every workload kind; ephemeralContainers cannot
# declare resources. An empty or null value counts as missing; a LimitRange default is not seen
# here, so the limit has to be in the manifest.
package kpc.policies.resources_memory_limits

import data.kpc.lib.k8s

deny contains msg if {
	some entry in k8s.checked_containers("resources-memory-limits")
	entry.list in {"containers", "initContainers"}
	not has_value(entry.container)
	msg := sprintf(
		"%s: container %q (%s) sets no resources.limits.memory (%s.resources.limits.memory); set a memory limit, at most 2x the request, e.g. \"512Mi\"",
		[k8s.resource, entry.name, entry.list, entry.path],
	)
}

has_value(c) if {
	value := c.resources.limits.memory
	value != null
	value != ""
}

# With the parameter max (a quantity such as "4Gi"; default null: no maximum), a value above it
# is denied as well.
deny contains msg if {
	some entry in k8s.checked_containers("resources-memory-limits")
	entry.list in {"containers", "initContainers"}
	value := entry.container.resources.limits.memory
	maximum := k8s.param("resources-memory-limits", "max", null)
	k8s.exceeds_maximum(value, maximum)
	msg := sprintf(
		"%s: container %q (%s) sets resources.limits.memory %v, above the maximum %v (%s.resources.limits.memory); lower it to at most %v",
		[k8s.resource, entry.name, entry.list, value, maximum, entry.path, maximum],
	)
}
