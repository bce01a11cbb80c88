# Without a liveness probe a container that deadlocks or wedges keeps running and keeps its pod
# "Running": nothing restarts it. The probe lets the kubelet restart what no longer makes progress.
# Checked on long-running containers (k8s.long_running_containers): the `containers` list of every
# workload kind except Job and CronJob, whose containers are meant to exit. Init and ephemeral
# containers are not checked. A null probe counts as missing.
package kpc.policies.probes_liveness

import data.kpc.lib.k8s

deny contains msg if {
	some entry in k8s.checked_long_running_containers("probes-liveness")
	not has_probe(entry.container)
	msg := sprintf(
		"%s: container %q (%s) has no livenessProbe (%s.livenessProbe); add a livenessProbe (httpGet, tcpSocket, grpc or exec) that fails only when a restart would help",
		[k8s.resource, entry.name, entry.list, entry.path],
	)
}

has_probe(c) if {
	probe := c.livenessProbe
	probe != null
}
