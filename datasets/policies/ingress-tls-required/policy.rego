# Without spec.tls the ingress controller serves the Ingress over plain HTTP (or with its default
# certificate, which does not match the host): credentials and session cookies travel in clear.
# Deny Ingresses with no spec.tls entry. Whether every host is covered is checked by
# ingress-tls-host-coverage.
package kpc.policies.ingress_tls_required

import data.kpc.lib.k8s

deny contains msg if {
	input.kind == "Ingress"
	not has_tls
	msg := sprintf(
		"%s: spec.tls is missing or empty%s; terminate TLS with a certificate for every host",
		[k8s.resource, hosts_hint],
	)
}

has_tls if count(input.spec.tls) > 0

hosts := [rule.host | some rule in object.get(input.spec, "rules", []); is_string(rule.host)]

hosts_hint := sprintf(" (hosts %v are served over plain HTTP)", [hosts]) if count(hosts) > 0

else := ""
