package kpc.policies.ingress_tls_host_coverage_test

import data.kpc.policies.ingress_tls_host_coverage

ing(spec) := {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web", "namespace": "shop"}, "spec": spec}

rule(host) := {"host": host, "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}

tls(hosts) := {"hosts": hosts, "secretName": "web-tls"}

test_denies_uncovered_rule_hosts if {
	count(ingress_tls_host_coverage.deny) == 1 with input as ing({"rules": [rule("www.example.com"), rule("api.example.com")], "tls": [tls(["www.example.com"])]})
	count(ingress_tls_host_coverage.deny) == 2 with input as ing({"rules": [rule("www.example.com"), rule("api.example.com")], "tls": [tls(["shop.example.com"])]})
	count(ingress_tls_host_coverage.deny) == 1 with input as ing({"rules": [rule("www.example.com")], "tls": [{"secretName": "web-tls"}]})
}

test_wildcard_tls_host_covers_one_label_only if {
	count(ingress_tls_host_coverage.deny) == 0 with input as ing({"rules": [rule("api.example.com")], "tls": [tls(["*.example.com"])]})
	count(ingress_tls_host_coverage.deny) == 1 with input as ing({"rules": [rule("a.b.example.com")], "tls": [tls(["*.example.com"])]})
	count(ingress_tls_host_coverage.deny) == 1 with input as ing({"rules": [rule("example.com")], "tls": [tls(["*.example.com"])]})
	count(ingress_tls_host_coverage.deny) == 1 with input as ing({"rules": [rule("localhost")], "tls": [tls(["*.example.com"])]})
}

test_message_names_resource_rule_host_and_field if {
	some msg in ingress_tls_host_coverage.deny with input as ing({"rules": [rule("www.example.com"), rule("api.example.com")], "tls": [tls(["www.example.com"])]})
	contains(msg, "Ingress shop/web")
	contains(msg, "spec.rules[1].host \"api.example.com\"")
	contains(msg, "spec.tls[].hosts [\"www.example.com\"]")
}

test_allows_covered_hosts_across_entries if {
	count(ingress_tls_host_coverage.deny) == 0 with input as ing({"rules": [rule("www.example.com"), rule("api.example.com")], "tls": [tls(["www.example.com"]), tls(["api.example.com"])]})
	count(ingress_tls_host_coverage.deny) == 0 with input as ing({"rules": [rule("*.example.com")], "tls": [tls(["*.example.com"])]})
}

test_leaves_missing_tls_and_hostless_rules_alone if {
	count(ingress_tls_host_coverage.deny) == 0 with input as ing({"rules": [rule("www.example.com")]})
	count(ingress_tls_host_coverage.deny) == 0 with input as ing({"rules": [rule("www.example.com")], "tls": []})
	count(ingress_tls_host_coverage.deny) == 0 with input as ing({"rules": [{"http": {}}, rule("")], "tls": [tls(["www.example.com"])]})
}

test_missing_or_malformed_fields_never_crash if {
	count(ingress_tls_host_coverage.deny) == 0 with input as {"kind": "Ingress"}
	count(ingress_tls_host_coverage.deny) == 0 with input as ing(null)
	count(ingress_tls_host_coverage.deny) == 1 with input as ing({"rules": [null, rule("www.example.com")], "tls": [null, {"hosts": null}, {"hosts": [3]}]})
}

test_ignores_other_kinds if {
	count(ingress_tls_host_coverage.deny) == 0 with input as object.union(ing({"rules": [rule("www.example.com")], "tls": [tls([])]}), {"kind": "Service"})
}
