package kpc.policies.svc_selects_pods_test

import data.kpc.policies.svc_selects_pods as selects

service(spec) := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"}, "spec": spec}

templated(kind, labels) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "x", "namespace": "shop"}, "spec": {"template": {"metadata": {"labels": labels}}}}

inventory := {"namespace": {"shop": {
	"Deployment": {"web": templated("Deployment", {"app.kubernetes.io/name": "web", "tier": "frontend"})},
	"StatefulSet": {"db": templated("StatefulSet", {"app.kubernetes.io/name": "db"})},
	"Pod": {"debug": {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "debug", "labels": {"app.kubernetes.io/name": "debug"}}}},
	"CronJob": {"report": {"kind": "CronJob", "metadata": {"name": "report"}, "spec": {"jobTemplate": {"spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "report"}}}}}}}},
}}}

test_denies_a_selector_matching_nothing if {
	count(selects.deny) == 1 with input as service({"selector": {"app.kubernetes.io/name": "webb"}}) with data.inventory as inventory
	count(selects.deny) == 1 with input as service({"selector": {"app.kubernetes.io/name": "web", "tier": "backend"}}) with data.inventory as inventory
	count(selects.deny) == 1 with input as service({"type": "LoadBalancer", "selector": {"app": "web"}}) with data.inventory as inventory
}

test_message_names_selector_and_namespace if {
	some msg in selects.deny with input as service({"selector": {"tier": "backend", "app.kubernetes.io/name": "web"}}) with data.inventory as inventory
	contains(msg, `Service shop/web: spec.selector {app.kubernetes.io/name=web, tier=backend} matches no pod of namespace "shop" (none of its 4 workloads carries those labels)`)
}

test_allows_selectors_of_every_workload_kind if {
	every name in ["web", "db", "debug", "report"] {
		count(selects.deny) == 0 with input as service({"selector": {"app.kubernetes.io/name": name}}) with data.inventory as inventory
	}
	count(selects.deny) == 0 with input as service({"selector": {"tier": "frontend"}}) with data.inventory as inventory
}

test_skips_services_without_selectors_and_unsynced_namespaces if {
	count(selects.deny) == 0 with input as service({"type": "ExternalName", "externalName": "x.example.com", "selector": {"a": "b"}}) with data.inventory as inventory
	count(selects.deny) == 0 with input as service({}) with data.inventory as inventory
	count(selects.deny) == 0 with input as service({"selector": {}}) with data.inventory as inventory
	count(selects.deny) == 0 with input as service({"selector": {"app.kubernetes.io/name": "webb"}})
	count(selects.deny) == 0 with input as {"kind": "Deployment", "metadata": {"namespace": "shop"}, "spec": {"selector": {"a": "b"}}} with data.inventory as inventory
}
