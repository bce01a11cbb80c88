# Without spec.ingressClassName the Ingress is picked up by the cluster's default IngressClass, or
# by every controller that still honours unclassed Ingresses, or by none; which controller (and
# which set of TLS, WAF and auth settings) serves it depends on the cluster, not the manifest.
# Deny Ingresses without a non-empty spec.ingressClassName. The legacy annotation
# kubernetes.io/ingress.class is deprecated since networking.k8s.io/v1 and not enough on its own.
package kpc.policies.ingress_class_required

import data.kpc.lib.k8s

deny contains msg if {
	input.kind == "Ingress"
	not has_class
	msg := sprintf(
		"%s: spec.ingressClassName is not set%s; name the IngressClass that serves this Ingress",
		[k8s.resource, legacy_hint],
	)
}

has_class if {
	is_string(input.spec.ingressClassName)
	input.spec.ingressClassName != ""
}

legacy_hint := sprintf(" (the deprecated annotation kubernetes.io/ingress.class=%q does not replace it)", [k8s.annotations["kubernetes.io/ingress.class"]]) if {
	k8s.annotations["kubernetes.io/ingress.class"]
} else := ""
