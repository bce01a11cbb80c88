package kpc.policies.ingress_no_wildcard_host_test

import data.kpc.policies.ingress_no_wildcard_host

ing(spec) := {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web", "namespace": "shop"}, "spec": spec}

rule(host) := {"host": host, "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}

test_denies_wildcard_rule_host if {
	count(ingress_no_wildcard_host.deny) == 1 with input as ing({"rules": [rule("*.shop.example.com")], "tls": [{"hosts": ["www.shop.example.com"], "secretName": "tls"}]})
	count(ingress_no_wildcard_host.deny) == 2 with input as ing({"rules": [rule("*.shop.example.com")], "tls": [{"hosts": ["*.shop.example.com"], "secretName": "tls"}]})
}

test_denies_wildcard_tls_host if {
	count(ingress_no_wildcard_host.deny) == 1 with input as ing({"rules": [rule("www.shop.example.com")], "tls": [{"hosts": ["www.shop.example.com", "*.shop.example.com"]}]})
}

test_message_names_resource_field_and_host if {
	some msg in ingress_no_wildcard_host.deny with input as ing({"rules": [rule("www.shop.example.com"), rule("*.shop.example.com")]})
	contains(msg, "Ingress shop/web")
	contains(msg, "spec.rules[1].host")
	contains(msg, "\"*.shop.example.com\"")
	some msg2 in ingress_no_wildcard_host.deny with input as ing({"tls": [{"hosts": ["a.example.com"]}, {"hosts": ["b.example.com", "*.example.com"]}]})
	contains(msg2, "spec.tls[1].hosts[1]")
}

test_allows_explicit_hosts if {
	count(ingress_no_wildcard_host.deny) == 0 with input as ing({"rules": [rule("www.shop.example.com"), rule("api.shop.example.com")], "tls": [{"hosts": ["www.shop.example.com"]}]})
	count(ingress_no_wildcard_host.deny) == 0 with input as ing({"rules": [rule("api.example.com*")]})
}

# regression (issue 15): a rule without a host, or with host "", matches every host
test_denies_rule_without_host_or_with_empty_host if {
	count(ingress_no_wildcard_host.deny) == 1 with input as ing({"rules": [rule("www.shop.example.com"), {"http": {}}]})
	count(ingress_no_wildcard_host.deny) == 1 with input as ing({"rules": [rule("")]})
	count(ingress_no_wildcard_host.deny) == 1 with input as ing({"rules": [rule(null)]})
	some msg in ingress_no_wildcard_host.deny with input as ing({"rules": [rule("www.shop.example.com"), {"http": {}}]})
	contains(msg, "Ingress shop/web: spec.rules[1] has no host (host is not set)")
	some empty in ingress_no_wildcard_host.deny with input as ing({"rules": [rule("")]})
	contains(empty, "spec.rules[0] has no host (host is \"\")")
}

test_missing_or_malformed_fields_never_crash if {
	count(ingress_no_wildcard_host.deny) == 0 with input as {"kind": "Ingress"}
	count(ingress_no_wildcard_host.deny) == 0 with input as ing(null)
	count(ingress_no_wildcard_host.deny) == 0 with input as ing({"rules": [null, {"host": 3}], "tls": [null, {"hosts": null}, {"hosts": [7]}]})
	count(ingress_no_wildcard_host.deny) == 0 with input as ing({"defaultBackend": {"service": {"name": "web", "port": {"number": 80}}}})
}

test_ignores_other_kinds if {
	count(ingress_no_wildcard_host.deny) == 0 with input as object.union(ing({"rules": [rule("*.example.com")]}), {"kind": "Service"})
}
