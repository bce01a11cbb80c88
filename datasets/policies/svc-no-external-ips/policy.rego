# spec.externalIPs makes every node's kube-proxy capture traffic to the listed addresses, and any
# user allowed to create Services can list someone else's IP to intercept it (CVE-2020-8554, an
# unfixable design flaw). Deny Services with a non-empty spec.externalIPs.
package kpc.policies.svc_no_external_ips

import data.kpc.lib.k8s

deny contains msg if {
	input.kind == "Service"
	ips := input.spec.externalIPs
	count(ips) > 0
	msg := sprintf(
		"%s: spec.externalIPs lists %v; external IPs let a Service intercept traffic to any address (CVE-2020-8554), remove them",
		[k8s.resource, ips],
	)
}
