# Without a CPU limit one busy container can take every core of its node and starve its neighbours;
# a limit also bounds the cost of a runaway loop.
# Checked in containers and initContainers of every workload kind; ephemeralContainers cannot
# declare resources. An empty or null value counts as missing; a LimitRange default is not seen
# here, so the limit has to be in the manifest.
package kpc.policies.resources_cpu_limits

import data.kpc.lib.k8s

deny contains msg if {
	some entry in k8s.checked_containers("resources-cpu-limits")
	entry.list in {"containers", "initContainers"}
	not has_value(entry.container)
	msg := sprintf(
		"%s: container %q (%s) sets no resources.limits.cpu (%s.resources.limits.cpu); set a CPU limit, at most 4x the request, e.g. \"500m\"",
		[k8s.resource, entry.name, entry.list, entry.path],
	)
}

has_value(c) if {
	value := c.resources.limits.cpu
	value != null
	value != ""
}

# With the parameter max (a quantity such as "2"; default null: no maximum), a value above it
# is denied as well.
deny contains msg if {
	some entry in k8s.checked_containers("resources-cpu-limits")
	entry.list in {"containers", "initContainers"}
	value := entry.container.resources.limits.cpu
	maximum := k8s.param("resources-cpu-limits", "max", null)
	k8s.exceeds_maximum(value, maximum)
	msg := sprintf(
		"%s: container %q (%s) sets resources.limits.cpu %v, above the maximum %v (%s.resources.limits.cpu); lower it to at most %v",
		[k8s.resource, entry.name, entry.list, value, maximum, entry.path, maximum],
	)
}
