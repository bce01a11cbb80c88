package kpc.policies.ingress_unique_host_path_test

import data.kpc.policies.ingress_unique_host_path as unique

ingress(ns, name, class, rules) := {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": name, "namespace": ns}, "spec": {"ingressClassName": class, "rules": rules}}

rule(host, paths) := {"host": host, "http": {"paths": [{"path": p, "pathType": "Prefix", "backend": {"service": {"name": "s", "port": {"number": 80}}}} | some p in paths]}}

storefront := ingress("shop", "storefront", "nginx", [rule("shop.example.com", ["/", "/api"])])

inventory := {"namespace": {
	"shop": {"Ingress": {"storefront": storefront}},
	"payments": {"Ingress": {"pay": ingress("payments", "pay", "nginx", [rule("pay.example.com", ["/"])])}},
}}

test_denies_the_same_host_and_path_in_any_namespace if {
	count(unique.deny) == 1 with input as ingress("shop", "storefront-canary", "nginx", [rule("shop.example.com", ["/api"])]) with data.inventory as inventory
	count(unique.deny) == 1 with input as ingress("sandbox", "copy", "nginx", [rule("pay.example.com", ["/"])]) with data.inventory as inventory
}

test_normalises_host_case_and_trailing_slashes if {
	count(unique.deny) == 1 with input as ingress("data", "x", "nginx", [rule("Shop.Example.COM", ["/api/"])]) with data.inventory as inventory
	bare := {"host": "shop.example.com", "http": {"paths": [{"pathType": "Prefix", "backend": {}}]}}
	count(unique.deny) == 1 with input as ingress("data", "x", "nginx", [bare]) with data.inventory as inventory
}

test_message_names_the_pairs_and_the_other_ingress if {
	some msg in unique.deny with input as ingress("data", "x", "nginx", [rule("shop.example.com", ["/api", "/", "/new"])]) with data.inventory as inventory
	contains(msg, "Ingress data/x")
	contains(msg, `host/path ["shop.example.com/", "shop.example.com/api"] already served by Ingress shop/storefront (class "nginx")`)
}

test_catch_all_host if {
	any := ingress("shop", "default-backend", "nginx", [{"http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {}}]}}])
	inv := {"namespace": {"shop": {"Ingress": {"default-backend": any}}}}
	some msg in unique.deny with input as ingress("data", "y", "nginx", [{"host": "", "http": {"paths": [{"path": "/", "backend": {}}]}}]) with data.inventory as inv
	contains(msg, `["<any host>/"]`)
}

test_allows_itself_other_paths_hosts_and_classes if {
	count(unique.deny) == 0 with input as storefront with data.inventory as inventory
	count(unique.deny) == 0 with input as ingress("shop", "storefront", "nginx", [rule("shop.example.com", ["/", "/api", "/new"])]) with data.inventory as inventory
	count(unique.deny) == 0 with input as ingress("shop", "search", "nginx", [rule("shop.example.com", ["/search"])]) with data.inventory as inventory
	count(unique.deny) == 0 with input as ingress("shop", "m", "nginx", [rule("m.shop.example.com", ["/"])]) with data.inventory as inventory
	count(unique.deny) == 0 with input as ingress("shop", "internal", "internal", [rule("shop.example.com", ["/"])]) with data.inventory as inventory
	count(unique.deny) == 0 with input as ingress("shop", "copy", "nginx", [rule("shop.example.com", ["/"])])
}

test_class_from_the_annotation if {
	legacy := {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "legacy", "namespace": "data", "annotations": {"kubernetes.io/ingress.class": "nginx"}}, "spec": {"rules": [rule("shop.example.com", ["/"])]}}
	count(unique.deny) == 1 with input as legacy with data.inventory as inventory
	no_class := json.patch(legacy, [{"op": "remove", "path": "/metadata/annotations"}])
	count(unique.deny) == 0 with input as no_class with data.inventory as inventory
}

test_malformed_never_crashes if {
	count(unique.deny) == 0 with input as {"kind": "Ingress", "spec": {"rules": "x"}} with data.inventory as inventory
	count(unique.deny) == 0 with input as ingress("shop", "z", "nginx", [{"host": 7, "http": {"paths": [{"path": "/"}]}}, {"host": "a", "http": "x"}]) with data.inventory as inventory
	count(unique.deny) == 0 with input as {"kind": "Service", "spec": {"rules": [rule("shop.example.com", ["/"])]}} with data.inventory as inventory
	count(unique.deny) == 0 with input as ingress("shop", "z", "nginx", [rule("shop.example.com", ["/"])]) with data.inventory as {"namespace": "x"}
}
