# Without a CPU request the scheduler places the pod as if it needed no CPU: nodes get overcommitted,
# the container lands in the BestEffort/Burstable class and is throttled first under contention.
# Checked in containers and initContainers of every workload kind; ephemeralContainers cannot
# declare resources. An empty or null value counts as missing. Kubernetes may default a missing
# request to the limit, but the policy wants the value written down where reviewers see it.
package kpc.policies.resources_cpu_requests

import data.kpc.lib.k8s

deny contains msg if {
	some entry in k8s.checked_containers("resources-cpu-requests")
	entry.list in {"containers", "initContainers"}
	not has_value(entry.container)
	msg := sprintf(
		"%s: container %q (%s) sets no resources.requests.cpu (%s.resources.requests.cpu); request the CPU the container needs, e.g. \"100m\"",
		[k8s.resource, entry.name, entry.list, entry.path],
	)
}

has_value(c) if {
	value := c.resources.requests.cpu
	value != null
	value != ""
}

# With the parameter max (a quantity such as "2"; default null: no maximum), a value above it
# is denied as well.
deny contains msg if {
	some entry in k8s.checked_containers("resources-cpu-requests")
	entry.list in {"containers", "initContainers"}
	value := entry.container.resources.requests.cpu
	maximum := k8s.param("resources-cpu-requests", "max", null)
	k8s.exceeds_maximum(value, maximum)
	msg := sprintf(
		"%s: container %q (%s) sets resources.requests.cpu %v, above the maximum %v (%s.resources.requests.cpu); lower it to at most %v",
		[k8s.resource, entry.name, entry.list, value, maximum, entry.path, maximum],
	)
}
