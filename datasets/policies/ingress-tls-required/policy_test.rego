package kpc.policies.ingress_tls_required_test

import data.kpc.policies.ingress_tls_required

ing(spec) := {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web", "namespace": "shop"}, "spec": spec}

rule(host) := {"host": host, "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}

test_denies_missing_or_empty_tls if {
	count(ingress_tls_required.deny) == 1 with input as ing({"ingressClassName": "nginx", "rules": [rule("www.example.com")]})
	count(ingress_tls_required.deny) == 1 with input as ing({"rules": [rule("www.example.com")], "tls": []})
	count(ingress_tls_required.deny) == 1 with input as ing({"defaultBackend": {"service": {"name": "web", "port": {"number": 80}}}})
}

test_message_names_resource_field_and_hosts if {
	some msg in ingress_tls_required.deny with input as ing({"rules": [rule("www.example.com"), {"http": {}}]})
	contains(msg, "Ingress shop/web")
	contains(msg, "spec.tls")
	contains(msg, "[\"www.example.com\"]")
	some msg2 in ingress_tls_required.deny with input as ing({})
	not contains(msg2, "hosts")
}

test_allows_ingress_with_tls if {
	count(ingress_tls_required.deny) == 0 with input as ing({"rules": [rule("www.example.com")], "tls": [{"hosts": ["www.example.com"], "secretName": "www-tls"}]})
}

test_missing_or_malformed_fields_never_crash if {
	count(ingress_tls_required.deny) == 1 with input as {"kind": "Ingress"}
	count(ingress_tls_required.deny) == 1 with input as ing({"rules": null, "tls": null})
	count(ingress_tls_required.deny) == 1 with input as ing({"rules": [null, "x"]})
}

test_ignores_other_kinds if {
	count(ingress_tls_required.deny) == 0 with input as object.union(ing({}), {"kind": "Service"})
}
