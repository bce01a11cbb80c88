# A single replica is a single point of failure: every node drain, eviction, rollout or crash is an
# outage. Deployments and StatefulSets serve traffic and should run at least `min` (default 2) pods.
# Denies a Deployment or StatefulSet whose spec.replicas is below the minimum; a missing or null
# spec.replicas is the API default, 1, and is denied too (even when an autoscaler manages the count:
# set the replicas to the autoscaler's minReplicas). A non-numeric value is left to the API server's
# validation. DaemonSets, ReplicaSets, Jobs and Pods are not checked. The parameter `max` (default
# null: no maximum) also denies more replicas than that, e.g. to cap what one team can scale to.
package kpc.policies.replicas_minimum

import data.kpc.lib.k8s

deny contains msg if {
	input.kind in {"Deployment", "StatefulSet"}
	minimum := k8s.param("replicas-minimum", "min", 2)
	replicas := effective_replicas
	replicas < minimum
	msg := sprintf(
		"%s: spec.replicas is %s; run at least %v replicas so a single pod failure or node drain is not an outage",
		[k8s.resource, described, minimum],
	)
}

effective_replicas := r if {
	r := input.spec.replicas
	is_number(r)
}

effective_replicas := 1 if object.get(input, ["spec", "replicas"], null) == null

described := sprintf("%v", [input.spec.replicas]) if {
	is_number(input.spec.replicas)
} else := "not set (defaults to 1)"

deny contains msg if {
	input.kind in {"Deployment", "StatefulSet"}
	maximum := k8s.param("replicas-minimum", "max", null)
	maximum != null
	replicas := effective_replicas
	replicas > maximum
	msg := sprintf(
		"%s: spec.replicas is %v, above the maximum of %v replicas; lower spec.replicas (or raise the parameter max)",
		[k8s.resource, replicas, maximum],
	)
}
