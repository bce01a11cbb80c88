# Without a readiness probe a pod receives Service traffic as soon as its process starts (before it
# can answer) and keeps receiving it while overloaded or cut off from its dependencies, and rolling
# updates cannot tell a good new version from a broken one.
# Checked on long-running containers (k8s.long_running_containers): the `containers` list of every
# workload kind except Job and CronJob, whose containers are meant to exit. Init and ephemeral
# containers are not checked. A null probe counts as missing.
package kpc.policies.probes_readiness

import data.kpc.lib.k8s

deny contains msg if {
	some entry in k8s.checked_long_running_containers("probes-readiness")
	not has_probe(entry.container)
	msg := sprintf(
		"%s: container %q (%s) has no readinessProbe (%s.readinessProbe); add a readinessProbe (httpGet, tcpSocket, grpc or exec) that reports whether the container can serve",
		[k8s.resource, entry.name, entry.list, entry.path],
	)
}

has_probe(c) if {
	probe := c.readinessProbe
	probe != null
}
