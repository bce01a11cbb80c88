package kpc.policies.replicas_minimum_test

import data.kpc.policies.replicas_minimum

workload(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": spec}

test_denies_single_replica_deployment_and_statefulset if {
	every kind in ["Deployment", "StatefulSet"] {
		count(replicas_minimum.deny) == 1 with input as workload(kind, {"replicas": 1})
		count(replicas_minimum.deny) == 1 with input as workload(kind, {"replicas": 0})
	}
}

test_missing_replicas_means_one if {
	count(replicas_minimum.deny) == 1 with input as workload("Deployment", {"template": {}})
	count(replicas_minimum.deny) == 1 with input as workload("StatefulSet", {"replicas": null})
	count(replicas_minimum.deny) == 1 with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w", "namespace": "shop"}}
	some msg in replicas_minimum.deny with input as workload("Deployment", {})
	contains(msg, "spec.replicas is not set (defaults to 1)")
}

test_message_names_resource_field_value_and_minimum if {
	some msg in replicas_minimum.deny with input as workload("StatefulSet", {"replicas": 1})
	contains(msg, "StatefulSet shop/w")
	contains(msg, "spec.replicas is 1")
	contains(msg, "at least 2 replicas")
}

test_allows_two_or_more if {
	count(replicas_minimum.deny) == 0 with input as workload("Deployment", {"replicas": 2})
	count(replicas_minimum.deny) == 0 with input as workload("StatefulSet", {"replicas": 5})
}

test_min_parameter if {
	params := {"replicas-minimum": {"min": 3}}
	count(replicas_minimum.deny) == 1 with input as workload("Deployment", {"replicas": 2}) with data.kpc.params as params
	count(replicas_minimum.deny) == 0 with input as workload("Deployment", {"replicas": 3}) with data.kpc.params as params
}

test_ignores_other_kinds_and_non_numbers if {
	every kind in ["Pod", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Service"] {
		count(replicas_minimum.deny) == 0 with input as workload(kind, {"replicas": 1})
	}
	count(replicas_minimum.deny) == 0 with input as workload("Deployment", {"replicas": "3"})
}

test_parameter_max if {
	d := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"replicas": 40}}
	count(data.kpc.policies.replicas_minimum.deny) == 0 with input as d
	count(data.kpc.policies.replicas_minimum.deny) == 1 with input as d with data.kpc.params as {"replicas-minimum": {"max": 20}}
	count(data.kpc.policies.replicas_minimum.deny) == 0 with input as d with data.kpc.params as {"replicas-minimum": {"max": 40}}
	some msg in data.kpc.policies.replicas_minimum.deny with input as d with data.kpc.params as {"replicas-minimum": {"max": 20}}
	msg == "Deployment shop/web: spec.replicas is 40, above the maximum of 20 replicas; lower spec.replicas (or raise the parameter max)"
}
