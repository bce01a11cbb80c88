package kpc.policies.availability_priority_class_test

import data.kpc.policies.availability_priority_class as priority

workload(kind, spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "w", "namespace": "shop"}, "spec": spec} if kind == "Pod"

workload(kind, spec) := {"apiVersion": "batch/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}} if kind == "CronJob"

workload(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"spec": spec}}} if {
	not kind in {"Pod", "CronJob"}
}

kinds := ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]

inventory := {"cluster": {"PriorityClass": {"node-agent": {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "node-agent"}, "value": 100000}}}}

test_denies_unset_on_daemonsets_by_default if {
	count(priority.deny) == 1 with input as workload("DaemonSet", {})
	count(priority.deny) == 1 with input as workload("DaemonSet", {"priorityClassName": ""})
	count(priority.deny) == 1 with input as workload("DaemonSet", {"priorityClassName": null})
	some msg in priority.deny with input as workload("DaemonSet", {})
	contains(msg, "DaemonSet shop/w: spec.template.spec.priorityClassName is not set and its kind DaemonSet is in required_kinds")
	every kind in kinds {
		count(priority.deny) == count({k | k := kind; k == "DaemonSet"}) with input as workload(kind, {})
	}
}

test_required_kinds_and_namespaces_parameters if {
	every kind in kinds {
		count(priority.deny) == 1 with input as workload(kind, {}) with data.kpc.params as {"availability-priority-class": {"required_namespaces": ["sh*"]}}
	}
	some msg in priority.deny with input as workload("Job", {}) with data.kpc.params as {"availability-priority-class": {"required_namespaces": ["shop"]}}
	contains(msg, `namespace "shop" matches required_namespaces`)
	count(priority.deny) == 0 with input as workload("DaemonSet", {}) with data.kpc.params as {"availability-priority-class": {"required_kinds": []}}
	count(priority.deny) == 1 with input as workload("StatefulSet", {}) with data.kpc.params as {"availability-priority-class": {"required_kinds": ["StatefulSet"]}}
	count(priority.deny) == 0 with input as workload("Job", {}) with data.kpc.params as {"availability-priority-class": {"required_namespaces": ["data"]}}
}

test_allowed_classes_parameter if {
	params := {"availability-priority-class": {"allowed_classes": ["node-agent", "business-critical"]}}
	count(priority.deny) == 0 with input as workload("Deployment", {"priorityClassName": "business-critical"}) with data.kpc.params as params
	count(priority.deny) == 1 with input as workload("Deployment", {"priorityClassName": "system-cluster-critical"}) with data.kpc.params as params
	some msg in priority.deny with input as workload("Deployment", {"priorityClassName": "system-cluster-critical"}) with data.kpc.params as params
	contains(msg, `priorityClassName is "system-cluster-critical", which is not an allowed class (allowed: ["business-critical", "node-agent"])`)
}

test_denies_a_class_that_does_not_exist if {
	every kind in kinds {
		count(priority.deny) == 1 with input as workload(kind, {"priorityClassName": "node-agnet"}) with data.inventory as inventory
	}
	some msg in priority.deny with input as workload("DaemonSet", {"priorityClassName": "node-agnet"}) with data.inventory as inventory
	contains(msg, `priorityClassName is "node-agnet", but the cluster has no such PriorityClass (it has ["node-agent", "system-cluster-critical", "system-node-critical"])`)
}

test_allows_existing_builtin_and_unjudged_classes if {
	every kind in kinds {
		count(priority.deny) == 0 with input as workload(kind, {"priorityClassName": "node-agent"}) with data.inventory as inventory
		count(priority.deny) == 0 with input as workload(kind, {"priorityClassName": "system-node-critical"}) with data.inventory as inventory
		count(priority.deny) == 0 with input as workload(kind, {"priorityClassName": "anything"})
	}
	count(priority.deny) == 0 with input as {"kind": "Service", "metadata": {"name": "s"}, "spec": {}} with data.kpc.params as {"availability-priority-class": {"required_namespaces": ["*"]}}
}
