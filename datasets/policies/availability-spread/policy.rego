# Replicas that all land on one node (or one zone) go down together: the scheduler's built-in
# spreading is only a soft preference (maxSkew 3 per node), so three replicas may share a node.
# Deny a Deployment or StatefulSet with spec.replicas >= min_replicas (default 2) whose pod
# template neither has a topologySpreadConstraints entry nor a podAntiAffinity term
# (requiredDuringScheduling… or preferredDuringScheduling…) whose labelSelector selects its own
# pod template labels: a constraint on another app's labels spreads nothing.
package kpc.policies.availability_spread

import data.kpc.lib.k8s

min_replicas := k8s.param("availability-spread", "min_replicas", 2)

labels := k8s.as_object(object.get(k8s.pod_metadata, "labels", {}))

# Label selectors that spread these pods.
selectors contains s if {
	some constraint in k8s.as_array(object.get(k8s.pod_spec, "topologySpreadConstraints", []))
	s := constraint.labelSelector
}

selectors contains s if {
	some term in k8s.as_array(object.get(k8s.pod_spec, ["affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution"], []))
	s := term.labelSelector
}

selectors contains s if {
	some term in k8s.as_array(object.get(k8s.pod_spec, ["affinity", "podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution"], []))
	s := term.podAffinityTerm.labelSelector
}

spread if {
	some s in selectors
	k8s.selector_matches(s, labels)
}

deny contains msg if {
	input.kind in {"Deployment", "StatefulSet"}
	replicas := input.spec.replicas
	is_number(replicas)
	replicas >= min_replicas
	not spread
	msg := sprintf(
		"%s: runs %v replicas with no topologySpreadConstraints or podAntiAffinity selecting its own pods (%s), so all of them may land on one node; add a topologySpreadConstraints entry (topologyKey kubernetes.io/hostname) whose labelSelector matches the pod template labels",
		[k8s.resource, replicas, k8s.pod_spec_path],
	)
}
