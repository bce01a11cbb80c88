# An Ingress with a tls section but a rule host missing from every spec.tls[].hosts serves that
# host with the controller's default certificate (a browser error) or over plain HTTP. Deny each
# rule host not covered by a TLS host: an exact match, or a TLS wildcard "*.example.com" covering
# exactly one more label ("api.example.com"). Ingresses without any spec.tls are left to
# ingress-tls-required, and rules without a host (catch-all) are not checked: they cannot be
# listed in spec.tls[].hosts.
package kpc.policies.ingress_tls_host_coverage

import data.kpc.lib.k8s

tls_hosts := {host |
	some tls in input.spec.tls
	some host in tls.hosts
	is_string(host)
}

deny contains msg if {
	input.kind == "Ingress"
	count(input.spec.tls) > 0
	some i, rule in object.get(input.spec, "rules", [])
	host := rule.host
	is_string(host)
	host != ""
	not covered(host)
	msg := sprintf(
		"%s: spec.rules[%d].host %q is not listed in any spec.tls[].hosts %v; add it to a TLS entry with a matching certificate",
		[k8s.resource, i, host, sort(tls_hosts)],
	)
}

covered(host) if tls_hosts[host]

covered(host) if {
	some tls_host in tls_hosts
	startswith(tls_host, "*.")
	parts := split(host, ".")
	count(parts) > 1
	concat(".", array.slice(parts, 1, count(parts))) == substring(tls_host, 2, -1)
}
