package kpc.policies.availability_pdb_blocks_drain_test

import data.kpc.policies.availability_pdb_blocks_drain as blocks

pdb(spec) := {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web", "namespace": "shop"}, "spec": spec}

selector := {"matchLabels": {"app.kubernetes.io/name": "web"}}

web_labels := {"app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "web-prod"}

deployment(name, replicas, labels) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "shop"}, "spec": {"replicas": replicas, "template": {"metadata": {"labels": labels}}}}

inventory := {"namespace": {"shop": {
	"Deployment": {"web": deployment("web", 3, web_labels), "cart": deployment("cart", 5, {"app.kubernetes.io/name": "cart"})},
	"StatefulSet": {"web-cache": {"kind": "StatefulSet", "metadata": {"name": "web-cache"}, "spec": {"template": {"metadata": {"labels": web_labels}}}}},
	"DaemonSet": {"web-agent": {"kind": "DaemonSet", "metadata": {"name": "web-agent"}, "spec": {"template": {"metadata": {"labels": web_labels}}}}},
}}}

test_denies_zero_max_unavailable if {
	every value in [0, "0%", "0"] {
		count(blocks.deny) == 1 with input as pdb({"maxUnavailable": value, "selector": selector})
	}
	some msg in blocks.deny with input as pdb({"maxUnavailable": "0%", "selector": selector})
	contains(msg, "PodDisruptionBudget shop/web: spec.maxUnavailable is 0%")
	contains(msg, "every node drain blocks")
}

test_denies_full_min_available_percentage if {
	count(blocks.deny) == 1 with input as pdb({"minAvailable": "100%", "selector": selector})
	count(blocks.deny) == 1 with input as pdb({"minAvailable": "100%", "selector": selector}) with data.inventory as inventory
	some msg in blocks.deny with input as pdb({"minAvailable": "100%", "selector": selector})
	contains(msg, "spec.minAvailable is 100%")
}

test_denies_min_available_at_or_above_the_selected_replicas if {
	# web (3) and web-cache (unset: 1) are selected: 4 replicas; the DaemonSet has no fixed count
	every value in [4, 7, "80%"] {
		count(blocks.deny) == 1 with input as pdb({"minAvailable": value, "selector": selector}) with data.inventory as inventory
	}
	some msg in blocks.deny with input as pdb({"minAvailable": "80%", "selector": selector}) with data.inventory as inventory
	contains(msg, "spec.minAvailable 80% requires 4 pods but the workloads it selects run only 4 replicas (Deployment web: 3, StatefulSet web-cache: 1)")
}

test_match_expressions_select_too if {
	expr := {"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "In", "values": ["cart"]}]}
	count(blocks.deny) == 1 with input as pdb({"minAvailable": 5, "selector": expr}) with data.inventory as inventory
	count(blocks.deny) == 0 with input as pdb({"minAvailable": 4, "selector": expr}) with data.inventory as inventory
}

test_allows_budgets_that_leave_room if {
	count(blocks.deny) == 0 with input as pdb({"maxUnavailable": 1, "selector": selector}) with data.inventory as inventory
	count(blocks.deny) == 0 with input as pdb({"maxUnavailable": "25%", "selector": selector}) with data.inventory as inventory
	count(blocks.deny) == 0 with input as pdb({"minAvailable": 3, "selector": selector}) with data.inventory as inventory
	count(blocks.deny) == 0 with input as pdb({"minAvailable": "50%", "selector": selector}) with data.inventory as inventory
}

test_without_inventory_only_the_static_checks if {
	count(blocks.deny) == 0 with input as pdb({"minAvailable": 10, "selector": selector})
	count(blocks.deny) == 0 with input as pdb({"minAvailable": "99%", "selector": selector})
	count(blocks.deny) == 0 with input as pdb({"minAvailable": 10, "selector": {"matchLabels": {"app.kubernetes.io/name": "nothing"}}}) with data.inventory as inventory
	count(blocks.deny) == 0 with input as pdb({"minAvailable": 10, "selector": null}) with data.inventory as inventory
	scaled_to_zero := {"namespace": {"shop": {"Deployment": {"web": deployment("web", 0, web_labels)}}}}
	count(blocks.deny) == 0 with input as pdb({"minAvailable": 1, "selector": selector}) with data.inventory as scaled_to_zero
}

test_malformed_values_never_crash if {
	every value in ["x%", "", "%", "1.5%", true, null, "-1%"] {
		count(blocks.deny) == 0 with input as pdb({"maxUnavailable": value, "minAvailable": value, "selector": selector}) with data.inventory as inventory
	}
	count(blocks.deny) == 0 with input as {"kind": "PodDisruptionBudget", "spec": "x"}
	count(blocks.deny) == 0 with input as {"kind": "Deployment", "spec": {"maxUnavailable": 0}}
}
