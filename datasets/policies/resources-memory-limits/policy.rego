# Without a memory limit a leaking container grows until the node runs out of memory and the kernel
# kills whatever it picks, possibly other tenants; with a limit only the leaking container dies.
# Checked in containers and initContainers of every workload kind; ephemeralContainers cannot
# declare resources. An empty or null value counts as missing; a LimitRange default is not seen
# here, so the limit has to be in the manifest.
package kpc.policies.resources_memory_limits

import data.kpc.lib.k8s

deny contains msg if {
	some entry in k8s.containers
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
