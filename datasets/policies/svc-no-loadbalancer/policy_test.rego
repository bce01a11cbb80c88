package kpc.policies.svc_no_loadbalancer_test

import data.kpc.policies.svc_no_loadbalancer

svc(annotations, spec) := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "edge", "namespace": "platform", "annotations": annotations}, "spec": spec}

lb := {"type": "LoadBalancer", "ports": [{"name": "https", "port": 443, "targetPort": 8443}]}

test_denies_unapproved_load_balancer if {
	count(svc_no_loadbalancer.deny) == 1 with input as svc({}, lb)
	count(svc_no_loadbalancer.deny) == 1 with input as svc({"kube-pac.io/external-exposure": "pending"}, lb)
	count(svc_no_loadbalancer.deny) == 1 with input as object.remove(svc({}, lb), ["metadata"])
}

test_message_names_resource_field_and_annotation if {
	some msg in svc_no_loadbalancer.deny with input as svc({}, lb)
	contains(msg, "Service platform/edge")
	contains(msg, "spec.type is LoadBalancer")
	contains(msg, "kube-pac.io/external-exposure: approved")
}

test_allows_approved_load_balancer_and_other_types if {
	count(svc_no_loadbalancer.deny) == 0 with input as svc({"kube-pac.io/external-exposure": "approved"}, lb)
	count(svc_no_loadbalancer.deny) == 0 with input as svc({}, object.union(lb, {"type": "ClusterIP"}))
	count(svc_no_loadbalancer.deny) == 0 with input as svc({}, {})
}

test_annotation_parameters if {
	params := {"svc-no-loadbalancer": {"annotation_key": "example.com/public", "annotation_value": "yes"}}
	count(svc_no_loadbalancer.deny) == 0 with input as svc({"example.com/public": "yes"}, lb) with data.kpc.params as params
	count(svc_no_loadbalancer.deny) == 1 with input as svc({"kube-pac.io/external-exposure": "approved"}, lb) with data.kpc.params as params
	some msg in svc_no_loadbalancer.deny with input as svc({}, lb) with data.kpc.params as params
	contains(msg, "example.com/public: yes")
}

test_missing_or_malformed_fields_never_crash if {
	count(svc_no_loadbalancer.deny) == 0 with input as {"kind": "Service"}
	count(svc_no_loadbalancer.deny) == 0 with input as svc(null, null)
	count(svc_no_loadbalancer.deny) == 1 with input as svc(null, lb)
}

test_ignores_other_kinds if {
	count(svc_no_loadbalancer.deny) == 0 with input as object.union(svc({}, lb), {"kind": "Ingress"})
}
