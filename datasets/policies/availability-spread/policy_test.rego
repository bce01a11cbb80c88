package kpc.policies.availability_spread_test

import data.kpc.policies.availability_spread as spread

labels := {"app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "web-prod"}

workload(kind, replicas, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"replicas": replicas, "template": {"metadata": {"labels": labels}, "spec": spec}}}

own := {"matchLabels": {"app.kubernetes.io/name": "web"}}

other := {"matchLabels": {"app.kubernetes.io/name": "cart"}}

topology(selector) := {"topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": selector}]}

required(selector) := {"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"topologyKey": "kubernetes.io/hostname", "labelSelector": selector}]}}}

preferred(selector) := {"affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname", "labelSelector": selector}}]}}}

test_denies_replicated_workloads_without_spread if {
	every kind in ["Deployment", "StatefulSet"] {
		count(spread.deny) == 1 with input as workload(kind, 2, {"containers": []})
		count(spread.deny) == 1 with input as workload(kind, 5, {"affinity": {"nodeAffinity": {}}})
	}
}

test_denies_spread_on_other_pods if {
	count(spread.deny) == 1 with input as workload("Deployment", 3, topology(other))
	count(spread.deny) == 1 with input as workload("Deployment", 3, required(other))
	count(spread.deny) == 1 with input as workload("StatefulSet", 3, preferred(other))
	count(spread.deny) == 1 with input as workload("StatefulSet", 3, {"topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone"}]})
}

test_message_names_resource_replicas_and_fix if {
	some msg in spread.deny with input as workload("StatefulSet", 3, {})
	contains(msg, "StatefulSet shop/w: runs 3 replicas with no topologySpreadConstraints or podAntiAffinity selecting its own pods (spec.template.spec)")
	contains(msg, "topologyKey kubernetes.io/hostname")
}

test_allows_each_way_of_spreading if {
	every kind in ["Deployment", "StatefulSet"] {
		count(spread.deny) == 0 with input as workload(kind, 3, topology(own))
		count(spread.deny) == 0 with input as workload(kind, 3, required(own))
		count(spread.deny) == 0 with input as workload(kind, 3, preferred(own))
		count(spread.deny) == 0 with input as workload(kind, 3, topology({"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "In", "values": ["web"]}]}))
	}
}

test_min_replicas_parameter_and_single_replicas if {
	count(spread.deny) == 0 with input as workload("Deployment", 1, {})
	count(spread.deny) == 0 with input as {"kind": "Deployment", "metadata": {"name": "w"}, "spec": {"template": {"spec": {}}}}
	count(spread.deny) == 0 with input as workload("Deployment", 2, {}) with data.kpc.params as {"availability-spread": {"min_replicas": 3}}
	count(spread.deny) == 1 with input as workload("Deployment", 3, {}) with data.kpc.params as {"availability-spread": {"min_replicas": 3}}
}

test_ignores_other_kinds_and_malformed_specs if {
	count(spread.deny) == 0 with input as workload("DaemonSet", 3, {})
	count(spread.deny) == 0 with input as workload("ReplicaSet", 3, {}) with data.kpc.params as {"availability-spread": {"min_replicas": 10}}
	count(spread.deny) == 1 with input as workload("Deployment", 3, {"topologySpreadConstraints": "x", "affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": "y"}}})
	count(spread.deny) == 0 with input as workload("Deployment", "3", {})
}
