package kpc.policies.availability_pdb_required_test

import data.kpc.policies.availability_pdb_required as pdb_required

workload(kind, ns, replicas, labels) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": ns}, "spec": {"replicas": replicas, "template": {"metadata": {"labels": labels}, "spec": {}}}}

pdb(selector) := {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "spec": {"maxUnavailable": 1, "selector": selector}}

inventory(pdbs) := {"namespace": {"shop": {"PodDisruptionBudget": pdbs}}}

web := {"app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "web-prod"}

test_denies_without_any_pdb if {
	every kind in ["Deployment", "StatefulSet"] {
		count(pdb_required.deny) == 1 with input as workload(kind, "shop", 2, web) with data.inventory as {}
	}
}

test_denies_when_no_pdb_selects_the_pods if {
	inv := inventory({
		"other": pdb({"matchLabels": {"app.kubernetes.io/name": "cart"}}),
		"too-narrow": pdb({"matchLabels": {"app.kubernetes.io/name": "web", "tier": "api"}}),
		"none": pdb(null),
		"bad-expr": pdb({"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "In", "values": ["cart"]}]}),
	})
	count(pdb_required.deny) == 1 with input as workload("Deployment", "shop", 3, web) with data.inventory as inv
}

test_pdb_in_another_namespace_does_not_count if {
	inv := {"namespace": {"payments": {"PodDisruptionBudget": {"web": pdb({"matchLabels": {"app.kubernetes.io/name": "web"}})}}}}
	count(pdb_required.deny) == 1 with input as workload("Deployment", "shop", 2, web) with data.inventory as inv
}

test_message_names_resource_replicas_and_labels if {
	some msg in pdb_required.deny with input as workload("StatefulSet", "shop", 3, web) with data.inventory as {}
	contains(msg, "StatefulSet shop/w")
	contains(msg, "runs 3 replicas")
	contains(msg, `namespace "shop"`)
	contains(msg, "spec.template.metadata.labels")
	contains(msg, `"app.kubernetes.io/name":"web"`)
}

test_allows_matching_pdb if {
	inv := inventory({"web": pdb({"matchLabels": {"app.kubernetes.io/name": "web"}})})
	count(pdb_required.deny) == 0 with input as workload("Deployment", "shop", 2, web) with data.inventory as inv
	count(pdb_required.deny) == 0 with input as workload("StatefulSet", "shop", 5, web) with data.inventory as inv
}

test_match_expressions if {
	label_in := inventory({"p": pdb({"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "In", "values": ["web", "api"]}]})})
	count(pdb_required.deny) == 0 with input as workload("Deployment", "shop", 2, web) with data.inventory as label_in
	exists := inventory({"p": pdb({"matchLabels": {"app.kubernetes.io/name": "web"}, "matchExpressions": [{"key": "app.kubernetes.io/instance", "operator": "Exists"}]})})
	count(pdb_required.deny) == 0 with input as workload("Deployment", "shop", 2, web) with data.inventory as exists
	not_in := inventory({"p": pdb({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["batch"]}, {"key": "canary", "operator": "DoesNotExist"}]})})
	count(pdb_required.deny) == 0 with input as workload("Deployment", "shop", 2, web) with data.inventory as not_in
	count(pdb_required.deny) == 1 with input as workload("Deployment", "shop", 2, object.union(web, {"canary": "true"})) with data.inventory as not_in
	count(pdb_required.deny) == 1 with input as workload("Deployment", "shop", 2, object.union(web, {"tier": "batch"})) with data.inventory as not_in
	unknown := inventory({"p": pdb({"matchExpressions": [{"key": "tier", "operator": "Matches"}]})})
	count(pdb_required.deny) == 1 with input as workload("Deployment", "shop", 2, web) with data.inventory as unknown
}

test_empty_selector_selects_every_pod if {
	count(pdb_required.deny) == 0 with input as workload("Deployment", "shop", 2, web) with data.inventory as inventory({"all": pdb({})})
}

test_single_replica_and_other_kinds_need_no_pdb if {
	count(pdb_required.deny) == 0 with input as workload("Deployment", "shop", 1, web) with data.inventory as {}
	count(pdb_required.deny) == 0 with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w", "namespace": "shop"}, "spec": {}} with data.inventory as {}
	count(pdb_required.deny) == 0 with input as workload("Deployment", "shop", "3", web) with data.inventory as {}
	every kind in ["DaemonSet", "ReplicaSet", "Job", "Pod"] {
		count(pdb_required.deny) == 0 with input as workload(kind, "shop", 3, web) with data.inventory as {}
	}
}

test_missing_template_labels_do_not_crash if {
	inv := inventory({"web": pdb({"matchLabels": {"app.kubernetes.io/name": "web"}})})
	count(pdb_required.deny) == 1 with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w", "namespace": "shop"}, "spec": {"replicas": 2}} with data.inventory as inv
	count(pdb_required.deny) == 1 with input as workload("Deployment", "shop", 2, null) with data.inventory as inv
	count(pdb_required.deny) == 0 with input as workload("Deployment", "shop", 2, null) with data.inventory as inventory({"all": pdb({"matchLabels": null})})
}
