package kpc.policies.replicas_hpa_sanity_test

import data.kpc.policies.replicas_hpa_sanity as hpa

autoscaler(api_version, spec) := {"apiVersion": api_version, "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web", "namespace": "shop"}, "spec": spec}

target := {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}

good := {"scaleTargetRef": target, "minReplicas": 2, "maxReplicas": 10}

inventory := {"namespace": {"shop": {"Deployment": {"web": {"kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"}}}}}}

test_denies_min_above_max if {
	every api in ["autoscaling/v1", "autoscaling/v2"] {
		count(hpa.deny) == 1 with input as autoscaler(api, object.union(good, {"minReplicas": 5, "maxReplicas": 3}))
	}
	some msg in hpa.deny with input as autoscaler("autoscaling/v2", object.union(good, {"minReplicas": 5, "maxReplicas": 3}))
	contains(msg, "HorizontalPodAutoscaler shop/web: spec.minReplicas 5 is above spec.maxReplicas 3")
}

test_denies_no_room_to_scale if {
	count(hpa.deny) == 1 with input as autoscaler("autoscaling/v2", object.union(good, {"minReplicas": 4, "maxReplicas": 4}))
	some msg in hpa.deny with input as autoscaler("autoscaling/v2", object.union(good, {"minReplicas": 4, "maxReplicas": 4}))
	contains(msg, "spec.maxReplicas 4 leaves 0 replicas of room above spec.minReplicas 4 (at least 1 expected)")
	count(hpa.deny) == 1 with input as autoscaler("autoscaling/v2", object.union(good, {"maxReplicas": 4})) with data.kpc.params as {"replicas-hpa-sanity": {"min_spread": 3}}
	count(hpa.deny) == 0 with input as autoscaler("autoscaling/v2", object.union(good, {"maxReplicas": 5})) with data.kpc.params as {"replicas-hpa-sanity": {"min_spread": 3}}
}

test_denies_a_floor_below_min_replicas if {
	count(hpa.deny) == 1 with input as autoscaler("autoscaling/v2", object.union(good, {"minReplicas": 1}))
	count(hpa.deny) == 1 with input as autoscaler("autoscaling/v2", object.remove(good, ["minReplicas"]))
	some msg in hpa.deny with input as autoscaler("autoscaling/v2", object.remove(good, ["minReplicas"]))
	contains(msg, "spec.minReplicas is 1 (unset means 1)")
	count(hpa.deny) == 0 with input as autoscaler("autoscaling/v2", object.union(good, {"minReplicas": 1})) with data.kpc.params as {"replicas-hpa-sanity": {"min_replicas": 1}}
	count(hpa.deny) == 1 with input as autoscaler("autoscaling/v2", good) with data.kpc.params as {"replicas-hpa-sanity": {"min_replicas": 3}}
}

test_denies_a_missing_scale_target if {
	missing := object.union(good, {"scaleTargetRef": object.union(target, {"name": "web-v2"})})
	count(hpa.deny) == 1 with input as autoscaler("autoscaling/v2", missing) with data.inventory as inventory
	some msg in hpa.deny with input as autoscaler("autoscaling/v2", missing) with data.inventory as inventory
	contains(msg, `spec.scaleTargetRef names Deployment "web-v2", which does not exist in namespace "shop"`)
	count(hpa.deny) == 0 with input as autoscaler("autoscaling/v2", good) with data.inventory as inventory
}

test_unsynced_kinds_and_namespaces_are_not_judged if {
	statefulset := object.union(good, {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db"}})
	count(hpa.deny) == 0 with input as autoscaler("autoscaling/v2", statefulset) with data.inventory as inventory
	count(hpa.deny) == 0 with input as autoscaler("autoscaling/v2", object.union(good, {"scaleTargetRef": object.union(target, {"name": "x"})}))
}

test_malformed_never_crashes if {
	count(hpa.deny) == 0 with input as autoscaler("autoscaling/v2", {"minReplicas": "2", "maxReplicas": "x", "scaleTargetRef": "web"})
	count(hpa.deny) == 0 with input as autoscaler("autoscaling/v2", {"minReplicas": "5", "maxReplicas": 3})
	count(hpa.deny) == 0 with input as {"kind": "HorizontalPodAutoscaler", "metadata": {"name": "x"}, "spec": "bad"} with data.kpc.params as {"replicas-hpa-sanity": {"min_replicas": 1}}
	count(hpa.deny) == 0 with input as {"kind": "Deployment", "spec": {"minReplicas": 5, "maxReplicas": 1}}
}
