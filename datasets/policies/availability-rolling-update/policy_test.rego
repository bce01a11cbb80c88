package kpc.policies.availability_rolling_update_test

import data.kpc.policies.availability_rolling_update as rolling

workload(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": spec}

test_denies_recreate_and_on_delete if {
	count(rolling.deny) == 1 with input as workload("Deployment", {"strategy": {"type": "Recreate"}})
	count(rolling.deny) == 1 with input as workload("Deployment", {"strategy": {"type": "recreate"}})
	count(rolling.deny) == 1 with input as workload("StatefulSet", {"updateStrategy": {"type": "OnDelete"}})
	count(rolling.deny) == 1 with input as workload("DaemonSet", {"updateStrategy": {"type": "ONDELETE"}})
}

test_messages_name_field_value_and_consequence if {
	some msg in rolling.deny with input as workload("Deployment", {"strategy": {"type": "Recreate"}})
	contains(msg, "Deployment shop/w: spec.strategy.type is Recreate, so every rollout stops all old pods")
	some msg2 in rolling.deny with input as workload("DaemonSet", {"updateStrategy": {"type": "OnDelete"}})
	contains(msg2, "spec.updateStrategy.type is OnDelete, so updates reach the pods only when someone deletes them by hand")
}

test_allows_rolling_updates_and_defaults if {
	count(rolling.deny) == 0 with input as workload("Deployment", {"strategy": {"type": "RollingUpdate"}})
	count(rolling.deny) == 0 with input as workload("Deployment", {})
	count(rolling.deny) == 0 with input as workload("StatefulSet", {"updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}})
	count(rolling.deny) == 0 with input as workload("DaemonSet", {"updateStrategy": {}})
	count(rolling.deny) == 0 with input as workload("Deployment", {"updateStrategy": {"type": "OnDelete"}})
	count(rolling.deny) == 0 with input as workload("StatefulSet", {"strategy": {"type": "Recreate"}})
	count(rolling.deny) == 0 with input as workload("ReplicaSet", {"strategy": {"type": "Recreate"}})
	count(rolling.deny) == 0 with input as workload("Deployment", {"strategy": {"type": 1}})
}

test_exempt_workloads_parameter if {
	d := workload("Deployment", {"strategy": {"type": "Recreate"}})
	count(rolling.deny) == 0 with input as d with data.kpc.params as {"availability-rolling-update": {"exempt_workloads": ["shop/*"]}}
	count(rolling.deny) == 1 with input as d with data.kpc.params as {"availability-rolling-update": {"exempt_workloads": ["data/*", "shop/x"]}}
}
