# Without a CPU limit one busy container can take every core of its node and starve its neighbours;
# a limit also bounds the cost of a runaway loop.
# Checked in containers and initContainers of every workload kind; ephemeralContainers cannot
# declare resources. An empty or null value counts as missing; a LimitRange default is not seen
# here, so the limit has to be in the manifest.
package kpc.policies.resources_cpu_limits

import data.kpc.lib.k8s

deny contains msg if {
	some entry in k8s.containers
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
