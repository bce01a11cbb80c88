package kpc.policies.svc_no_external_ips_test

import data.kpc.policies.svc_no_external_ips

svc(spec) := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"}, "spec": spec}

test_denies_external_ips_on_any_type if {
	count(svc_no_external_ips.deny) == 1 with input as svc({"externalIPs": ["203.0.113.10"], "ports": [{"port": 80}]})
	count(svc_no_external_ips.deny) == 1 with input as svc({"type": "LoadBalancer", "externalIPs": ["203.0.113.10", "203.0.113.11"]})
}

test_message_names_resource_field_and_addresses if {
	some msg in svc_no_external_ips.deny with input as svc({"externalIPs": ["203.0.113.10"]})
	contains(msg, "Service shop/web")
	contains(msg, "spec.externalIPs")
	contains(msg, "203.0.113.10")
	contains(msg, "CVE-2020-8554")
}

test_allows_services_without_external_ips if {
	count(svc_no_external_ips.deny) == 0 with input as svc({"ports": [{"port": 80}]})
	count(svc_no_external_ips.deny) == 0 with input as svc({"externalIPs": []})
	count(svc_no_external_ips.deny) == 0 with input as svc({"externalIPs": null})
}

test_missing_or_malformed_fields_never_crash if {
	count(svc_no_external_ips.deny) == 0 with input as {"kind": "Service"}
	count(svc_no_external_ips.deny) == 0 with input as svc(null)
}

test_ignores_other_kinds if {
	count(svc_no_external_ips.deny) == 0 with input as object.union(svc({"externalIPs": ["203.0.113.10"]}), {"kind": "Endpoints"})
}
