package kpc.policies.svc_unique_selector_test

import data.kpc.policies.svc_unique_selector as unique

service(name, spec) := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "shop"}, "spec": spec}

web := {"app.kubernetes.io/name": "web"}

inventory := {"namespace": {
	"shop": {"Service": {
		"web": service("web", {"type": "ClusterIP", "selector": web, "ports": [{"port": 80}]}),
		"db-headless": service("db-headless", {"clusterIP": "None", "selector": {"app.kubernetes.io/name": "db"}}),
	}},
	"data": {"Service": {"cart": service("cart", {"selector": {"app.kubernetes.io/name": "cart"}})}},
}}

test_denies_the_same_selector_in_the_namespace if {
	count(unique.deny) == 1 with input as service("web-v2", {"selector": web}) with data.inventory as inventory
	count(unique.deny) == 1 with input as service("web-lb", {"type": "LoadBalancer", "selector": web}) with data.inventory as inventory
	count(unique.deny) == 1 with input as service("db-copy", {"clusterIP": "None", "selector": {"app.kubernetes.io/name": "db"}}) with data.inventory as inventory
}

test_message_names_the_selector_and_the_other_service if {
	some msg in unique.deny with input as service("web-v2", {"selector": {"app.kubernetes.io/name": "web"}}) with data.inventory as inventory
	contains(msg, "Service shop/web-v2: spec.selector {app.kubernetes.io/name=web} is the same as Service shop/web's")
}

test_headless_pair_parameter if {
	count(unique.deny) == 0 with input as service("web-headless", {"clusterIP": "None", "selector": web}) with data.inventory as inventory
	count(unique.deny) == 0 with input as service("db", {"selector": {"app.kubernetes.io/name": "db"}}) with data.inventory as inventory
	count(unique.deny) == 1 with input as service("web-headless", {"clusterIP": "None", "selector": web}) with data.inventory as inventory with data.kpc.params as {"svc-unique-selector": {"allow_headless_pair": false}}
}

test_allows_itself_other_selectors_and_namespaces if {
	count(unique.deny) == 0 with input as service("web", {"selector": web}) with data.inventory as inventory
	count(unique.deny) == 0 with input as service("web-admin", {"selector": object.union(web, {"tier": "admin"})}) with data.inventory as inventory
	count(unique.deny) == 0 with input as service("cart", {"selector": {"app.kubernetes.io/name": "cart"}}) with data.inventory as inventory
	count(unique.deny) == 0 with input as service("web-v2", {"selector": web})
}

test_services_without_selectors_are_not_checked if {
	count(unique.deny) == 0 with input as service("ext", {"type": "ExternalName", "externalName": "x.example.com", "selector": web}) with data.inventory as inventory
	count(unique.deny) == 0 with input as service("manual", {"selector": {}}) with data.inventory as inventory
	count(unique.deny) == 0 with input as service("manual", {}) with data.inventory as inventory
	count(unique.deny) == 0 with input as {"kind": "Deployment", "metadata": {"name": "x", "namespace": "shop"}, "spec": {"selector": web}} with data.inventory as inventory
}
