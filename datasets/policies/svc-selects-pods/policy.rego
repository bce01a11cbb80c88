# A Service whose selector matches no pod has no endpoints: every connection to it fails, most
# often because of a label typo or a workload renamed without its Service. Deny a Service with a
# non-empty spec.selector when no workload of its namespace in the synced inventory (Pods, and
# the pod templates of Deployments, StatefulSets, DaemonSets, ReplicaSets, Jobs and CronJobs)
# carries every selector label. Judged only when the inventory holds workloads of that namespace;
# ExternalName Services and Services without a selector (endpoints managed by hand) are skipped.
package kpc.policies.svc_selects_pods

import data.kpc.lib.k8s

deny contains msg if {
	input.kind == "Service"
	not input.spec.type == "ExternalName"
	selector := input.spec.selector
	is_object(selector)
	count(selector) > 0
	owners := k8s.inventory_pod_owners(k8s.namespace)
	count(owners) > 0
	not selects_some(selector, owners)
	pairs := sort([sprintf("%s=%v", [key, value]) | some key, value in selector])
	msg := sprintf(
		"%s: spec.selector {%s} matches no pod of namespace %q (none of its %d workloads carries those labels), so the Service has no endpoints; fix the selector or the pod template labels",
		[k8s.resource, concat(", ", pairs), k8s.namespace, count(owners)],
	)
}

selects_some(selector, owners) if {
	some owner in owners
	k8s.map_selects(selector, owner.labels)
}
