# A wildcard host ("*.example.com") routes every subdomain, including ones nobody registered on
# purpose, to the backend, and lets one team's Ingress capture names that belong to another. A rule
# without a host (or with host "") is worse: it matches every host name that reaches the ingress
# controller. Deny any spec.rules[].host or spec.tls[].hosts[] entry starting with "*", and any
# rule whose host is missing, null or empty: list the hosts.
package kpc.policies.ingress_no_wildcard_host

import data.kpc.lib.k8s

deny contains msg if {
	input.kind == "Ingress"
	some i, rule in object.get(input.spec, "rules", [])
	startswith(rule.host, "*")
	msg := sprintf(
		"%s: spec.rules[%d].host is the wildcard %q; list each host explicitly",
		[k8s.resource, i, rule.host],
	)
}

deny contains msg if {
	input.kind == "Ingress"
	some i, rule in object.get(input.spec, "rules", [])
	object.get(rule, "host", null) in {null, ""}
	msg := sprintf(
		"%s: spec.rules[%d] has no host (%s), so it matches every host name; set spec.rules[%d].host to an explicit host",
		[k8s.resource, i, missing_host(rule), i],
	)
}

deny contains msg if {
	input.kind == "Ingress"
	some i, tls in object.get(input.spec, "tls", [])
	some j, host in object.get(tls, "hosts", [])
	startswith(host, "*")
	msg := sprintf(
		"%s: spec.tls[%d].hosts[%d] is the wildcard %q; list each host explicitly",
		[k8s.resource, i, j, host],
	)
}

missing_host(rule) := "host is \"\"" if rule.host == ""

else := "host is not set"
