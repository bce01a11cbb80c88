# A HorizontalPodAutoscaler that cannot do its job: minReplicas above maxReplicas (the API takes
# it, the controller then pins the workload at maxReplicas), no room to scale (maxReplicas -
# minReplicas below min_spread, default 1), a floor below min_replicas (default 2, the house
# minimum: one replica means downtime on every eviction), or a scaleTargetRef naming a workload
# that does not exist (checked when the synced inventory holds objects of that kind in the
# namespace). autoscaling/v1 and v2 share these fields; minReplicas defaults to 1.
package kpc.policies.replicas_hpa_sanity

import data.kpc.lib.k8s

policy := "replicas-hpa-sanity"

spec := k8s.as_object(object.get(input, "spec", {}))

min_replicas := object.get(spec, "minReplicas", 1)

max_replicas := spec.maxReplicas

deny contains msg if {
	input.kind == "HorizontalPodAutoscaler"
	is_number(max_replicas)
	is_number(min_replicas)
	min_replicas > max_replicas
	msg := sprintf(
		"%s: spec.minReplicas %v is above spec.maxReplicas %v, so the autoscaler can only hold the workload at %v replicas; set minReplicas <= maxReplicas",
		[k8s.resource, min_replicas, max_replicas, max_replicas],
	)
}

deny contains msg if {
	input.kind == "HorizontalPodAutoscaler"
	is_number(max_replicas)
	is_number(min_replicas)
	min_replicas <= max_replicas
	spread := k8s.param(policy, "min_spread", 1)
	max_replicas - min_replicas < spread
	msg := sprintf(
		"%s: spec.maxReplicas %v leaves %v replicas of room above spec.minReplicas %v (at least %v expected), so the autoscaler cannot scale; raise maxReplicas",
		[k8s.resource, max_replicas, max_replicas - min_replicas, min_replicas, spread],
	)
}

deny contains msg if {
	input.kind == "HorizontalPodAutoscaler"
	floor_ := k8s.param(policy, "min_replicas", 2)
	is_number(min_replicas)
	min_replicas < floor_
	msg := sprintf(
		"%s: spec.minReplicas is %v (unset means 1), so the autoscaler may scale the workload down to fewer than %v replicas and any eviction takes it down; set minReplicas to at least %v",
		[k8s.resource, min_replicas, floor_, floor_],
	)
}

deny contains msg if {
	input.kind == "HorizontalPodAutoscaler"
	target := k8s.as_object(object.get(spec, "scaleTargetRef", {}))
	k8s.inventory_synced(k8s.namespace, target.kind)
	not k8s.inventory_namespaced(k8s.namespace, target.kind)[target.name]
	msg := sprintf(
		"%s: spec.scaleTargetRef names %s %q, which does not exist in namespace %q; point the autoscaler at an existing workload",
		[k8s.resource, target.kind, target.name, k8s.namespace],
	)
}
