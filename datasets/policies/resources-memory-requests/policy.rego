# Without a memory request the scheduler places the pod as if it needed no memory: nodes get
# overcommitted and the container is among the first evicted under memory pressure.
# Checked in containers and initContainers of every workload kind; ephemeralContainers cannot
# declare resources. An empty or null value counts as missing. Kubernetes may default a missing
# request to the limit, but the policy wants the value written down where reviewers see it.
package kpc.policies.resources_memory_requests

import data.kpc.lib.k8s

deny contains msg if {
	some entry in k8s.checked_containers("resources-memory-requests")
	entry.list in {"containers", "initContainers"}
	not has_value(entry.container)
	msg := sprintf(
		"%s: container %q (%s) sets no resources.requests.memory (%s.resources.requests.memory); request the memory the container needs, e.g. \"256Mi\"",
		[k8s.resource, entry.name, entry.list, entry.path],
	)
}

has_value(c) if {
	value := c.resources.requests.memory
	value != null
	value != ""
}

# With the parameter max (a quantity such as "4Gi"; default null: no maximum), a value above it
# is denied as well.
deny contains msg if {
	some entry in k8s.checked_containers("resources-memory-requests")
	entry.list in {"containers", "initContainers"}
	value := entry.container.resources.requests.memory
	maximum := k8s.param("resources-memory-requests", "max", null)
	k8s.exceeds_maximum(value, maximum)
	msg := sprintf(
		"%s: container %q (%s) sets resources.requests.memory %v, above the maximum %v (%s.resources.requests.memory); lower it to at most %v",
		[k8s.resource, entry.name, entry.list, value, maximum, entry.path, maximum],
	)
}
