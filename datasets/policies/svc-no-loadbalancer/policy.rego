# A LoadBalancer Service gets a cloud load balancer, usually with a public address, that skips
# the ingress controller (TLS, authentication, WAF) and costs money per Service. Deny type
# LoadBalancer unless the Service carries the approval annotation (parameters annotation_key and
# annotation_value, default kube-pac.io/external-exposure: approved) set by whoever reviews
# external exposure.
package kpc.policies.svc_no_loadbalancer

import data.kpc.lib.k8s

annotation_key := k8s.param("svc-no-loadbalancer", "annotation_key", "kube-pac.io/external-exposure")

annotation_value := k8s.param("svc-no-loadbalancer", "annotation_value", "approved")

deny contains msg if {
	input.kind == "Service"
	input.spec.type == "LoadBalancer"
	not approved
	msg := sprintf(
		"%s: spec.type is LoadBalancer without the annotation %s: %s (metadata.annotations); expose it through an Ingress or get the exposure approved",
		[k8s.resource, annotation_key, annotation_value],
	)
}

approved if k8s.annotations[annotation_key] == annotation_value
