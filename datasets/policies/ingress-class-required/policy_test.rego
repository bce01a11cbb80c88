package kpc.policies.ingress_class_required_test

import data.kpc.policies.ingress_class_required

ing(annotations, spec) := {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web", "namespace": "shop", "annotations": annotations}, "spec": spec}

rules := [{"host": "www.example.com", "http": {"paths": [{"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]

test_denies_missing_or_empty_class if {
	count(ingress_class_required.deny) == 1 with input as ing({}, {"rules": rules})
	count(ingress_class_required.deny) == 1 with input as ing({}, {"ingressClassName": "", "rules": rules})
	count(ingress_class_required.deny) == 1 with input as ing({}, {"ingressClassName": null, "rules": rules})
}

test_legacy_annotation_alone_is_not_enough if {
	count(ingress_class_required.deny) == 1 with input as ing({"kubernetes.io/ingress.class": "nginx"}, {"rules": rules})
	some msg in ingress_class_required.deny with input as ing({"kubernetes.io/ingress.class": "nginx"}, {"rules": rules})
	contains(msg, "kubernetes.io/ingress.class=\"nginx\"")
}

test_message_names_resource_and_field if {
	some msg in ingress_class_required.deny with input as ing({}, {"rules": rules})
	contains(msg, "Ingress shop/web")
	contains(msg, "spec.ingressClassName")
	not contains(msg, "deprecated")
}

test_allows_ingress_class_name if {
	count(ingress_class_required.deny) == 0 with input as ing({}, {"ingressClassName": "nginx", "rules": rules})
	count(ingress_class_required.deny) == 0 with input as ing({"kubernetes.io/ingress.class": "nginx"}, {"ingressClassName": "nginx", "rules": rules})
}

test_missing_or_malformed_fields_never_crash if {
	count(ingress_class_required.deny) == 1 with input as {"kind": "Ingress"}
	count(ingress_class_required.deny) == 1 with input as ing(null, null)
	count(ingress_class_required.deny) == 1 with input as ing({}, {"ingressClassName": 7})
}

test_ignores_other_kinds if {
	count(ingress_class_required.deny) == 0 with input as object.union(ing({}, {}), {"kind": "IngressClass"})
}
