# Without a priorityClassName a pod gets priority 0 (or the cluster's global default): under
# resource pressure the scheduler cannot preempt for it and the kubelet evicts it first. Node
# agents (DaemonSets) suffer most: on a full node their pod never starts. Deny a workload whose
# pod spec leaves priorityClassName unset when its kind is in required_kinds (default
# [DaemonSet]) or its namespace matches required_namespaces (globs, default none); deny a class
# outside allowed_classes (when that list is set) and a class that does not exist (checked when
# the synced inventory holds PriorityClasses; system-node-critical and system-cluster-critical
# always exist).
package kpc.policies.availability_priority_class

import data.kpc.lib.k8s

policy := "availability-priority-class"

builtin := {"system-node-critical", "system-cluster-critical"}

class := object.get(k8s.pod_spec, "priorityClassName", null)

unset if class in {null, ""}

required := sprintf("its kind %s is in required_kinds", [input.kind]) if {
	input.kind in k8s.param(policy, "required_kinds", ["DaemonSet"])
} else := sprintf("namespace %q matches required_namespaces", [k8s.namespace]) if {
	some pattern in k8s.param(policy, "required_namespaces", [])
	glob.match(pattern, null, k8s.namespace)
}

deny contains msg if {
	k8s.workload_kinds[input.kind]
	unset
	reason := required
	msg := sprintf(
		"%s: %s.priorityClassName is not set and %s, so its pods run at the lowest priority and are evicted first; set a priorityClassName",
		[k8s.resource, k8s.pod_spec_path, reason],
	)
}

deny contains msg if {
	k8s.workload_kinds[input.kind]
	not unset
	allowed := k8s.param(policy, "allowed_classes", [])
	count(allowed) > 0
	not class in allowed
	msg := sprintf("%s: %s.priorityClassName is %q, which is not an allowed class (allowed: %v)", [k8s.resource, k8s.pod_spec_path, class, sort(allowed)])
}

deny contains msg if {
	k8s.workload_kinds[input.kind]
	is_string(class)
	class != ""
	not class in builtin
	existing := k8s.inventory_cluster("PriorityClass")
	count(existing) > 0
	not existing[class]
	msg := sprintf(
		"%s: %s.priorityClassName is %q, but the cluster has no such PriorityClass (it has %v), so no pod can be created; name an existing class",
		[k8s.resource, k8s.pod_spec_path, class, sort(array.concat([name | some name, _ in existing], [c | some c in builtin]))],
	)
}
