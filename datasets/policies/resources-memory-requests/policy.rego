# Without a memory request the scheduler places the pod as if it needed no memory: nodes get
# overcommitted and the container is among the first evicted under memory pressure.
# Checked in containers and initContainers of every workload kind; ephemeralContainers cannot
# declare resources. An empty or null value counts as missing. Kubernetes may default a missing
# request to the limit, but the policy wants the value written down where reviewers see it.
package kpc.policies.resources_memory_requests

import data.kpc.lib.k8s

deny contains msg if {
	some entry in k8s.containers
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
