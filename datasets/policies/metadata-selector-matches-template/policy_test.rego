package kpc.policies.metadata_selector_matches_template_test

import data.kpc.policies.metadata_selector_matches_template as selectors

workload(kind, selector, labels) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"selector": selector, "template": {"metadata": {"labels": labels}, "spec": {}}}}

labels := {"app.kubernetes.io/name": "web", "app.kubernetes.io/instance": "web-prod"}

kinds := ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"]

test_denies_a_selector_that_misses_the_labels_in_every_kind if {
	every kind in kinds {
		count(selectors.deny) == 1 with input as workload(kind, {"matchLabels": {"app.kubernetes.io/name": "webapp"}}, labels)
		count(selectors.deny) == 1 with input as workload(kind, {"matchLabels": {"app.kubernetes.io/name": "web", "tier": "api"}}, labels)
	}
}

test_match_expressions if {
	count(selectors.deny) == 1 with input as workload("Deployment", {"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "NotIn", "values": ["web"]}]}, labels)
	count(selectors.deny) == 1 with input as workload("Deployment", {"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, labels)
	count(selectors.deny) == 0 with input as workload("Deployment", {"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "In", "values": ["web", "api"]}, {"key": "tier", "operator": "DoesNotExist"}]}, labels)
	count(selectors.deny) == 1 with input as workload("Deployment", {"matchExpressions": [{"key": "x", "operator": "Bogus"}]}, labels)
}

test_denies_missing_or_empty_selectors if {
	every selector in [null, {}, {"matchLabels": {}}, "app=web"] {
		count(selectors.deny) == 1 with input as workload("StatefulSet", selector, labels)
	}
	some msg in selectors.deny with input as workload("DaemonSet", {}, labels)
	contains(msg, "DaemonSet shop/w: spec.selector is missing or empty")
	count(selectors.deny) == 1 with input as {"kind": "Deployment", "metadata": {"name": "w"}, "spec": {"template": {}}}
}

test_message_lists_selector_and_labels_sorted if {
	some msg in selectors.deny with input as workload("Deployment", {"matchLabels": {"app.kubernetes.io/name": "webapp"}, "matchExpressions": [{"key": "tier", "operator": "In", "values": ["api"]}]}, labels)
	contains(msg, "spec.selector {app.kubernetes.io/name=webapp, tier In (api)} does not select the pod template labels {app.kubernetes.io/instance=web-prod, app.kubernetes.io/name=web}")
}

test_allows_matching_selectors_and_other_kinds if {
	every kind in kinds {
		count(selectors.deny) == 0 with input as workload(kind, {"matchLabels": {"app.kubernetes.io/name": "web"}}, labels)
	}
	count(selectors.deny) == 0 with input as workload("Job", {"matchLabels": {"x": "y"}}, labels)
	count(selectors.deny) == 0 with input as {"kind": "Pod", "metadata": {"name": "p"}, "spec": {}}
}
