# A PodDisruptionBudget that allows no disruption blocks every voluntary eviction of the pods it
# selects: node drains (cluster upgrades, autoscaler scale-down) hang until someone deletes the
# budget by hand. Deny a PodDisruptionBudget with spec.maxUnavailable 0 or "0%", with
# spec.minAvailable "100%", or with a minAvailable (a number, or a percentage rounded up as the
# eviction API does) at or above the replicas of the workloads it selects, read from the synced
# inventory (Deployments, StatefulSets, ReplicaSets, ReplicationControllers and Pods of its
# namespace whose pod template labels its selector matches). Without those workloads in the
# inventory only the first three checks apply.
package kpc.policies.availability_pdb_blocks_drain

import data.kpc.lib.k8s

spec := k8s.as_object(object.get(input, "spec", {}))

# "25%" → 25; undefined for anything else.
percent(value) := to_number(trim_suffix(value, "%")) if {
	is_string(value)
	endswith(value, "%")
	k8s.digit_string(trim_suffix(value, "%"))
}

zero(value) if value == 0

zero(value) if percent(value) == 0

zero(value) if value == "0"

deny contains msg if {
	input.kind == "PodDisruptionBudget"
	zero(spec.maxUnavailable)
	msg := sprintf(
		"%s: spec.maxUnavailable is %v, so no pod it selects may ever be evicted and every node drain blocks; allow at least one disruption (maxUnavailable: 1)",
		[k8s.resource, spec.maxUnavailable],
	)
}

deny contains msg if {
	input.kind == "PodDisruptionBudget"
	percent(spec.minAvailable) >= 100
	msg := sprintf(
		"%s: spec.minAvailable is %v, so no pod it selects may ever be evicted and every node drain blocks; require fewer pods than the workload runs (or use maxUnavailable: 1)",
		[k8s.resource, spec.minAvailable],
	)
}

# The inventory workloads of the namespace the budget selects, with a known replica count.
selected := [owner |
	some owner in k8s.inventory_pod_owners(k8s.namespace)
	is_number(owner.replicas)
	k8s.selector_matches(object.get(spec, "selector", null), owner.labels)
]

replicas := sum([owner.replicas | some owner in selected])

# minAvailable as a pod count for these replicas (a percentage rounds up).
required := spec.minAvailable if is_number(spec.minAvailable)

required := ceil((percent(spec.minAvailable) * replicas) / 100) if percent(spec.minAvailable) < 100

deny contains msg if {
	input.kind == "PodDisruptionBudget"
	replicas > 0
	required >= replicas
	workloads := sort([sprintf("%s %s: %v", [owner.kind, owner.name, owner.replicas]) | some owner in selected])
	msg := sprintf(
		"%s: spec.minAvailable %v requires %v pods but the workloads it selects run only %v replicas (%s), so no pod may ever be evicted and every node drain blocks; require fewer pods than the replicas",
		[k8s.resource, spec.minAvailable, required, replicas, concat(", ", workloads)],
	)
}
