# A NodePort opens the same port on every node of the cluster, bypassing the ingress controller,
# its TLS and most NetworkPolicy setups that only think about pod traffic. Deny Services of type
# NodePort, and any port of a ClusterIP (or headless, or ExternalName) Service with
# spec.ports[].nodePort set (a leftover after changing the type). A LoadBalancer's nodePorts are not
# denied: the API server allocates them for the load balancer to reach the nodes, so manifests read
# back from a cluster carry them; whether the Service may be a LoadBalancer at all is
# svc-no-loadbalancer's concern. Expose Services through an Ingress.
package kpc.policies.svc_no_nodeport

import data.kpc.lib.k8s

deny contains msg if {
	input.kind == "Service"
	input.spec.type == "NodePort"
	msg := sprintf(
		"%s: spec.type is NodePort, which opens the port on every node; use type ClusterIP behind an Ingress",
		[k8s.resource],
	)
}

deny contains msg if {
	input.kind == "Service"
	not object.get(input.spec, "type", "ClusterIP") in {"NodePort", "LoadBalancer"}
	some i, port in object.get(input.spec, "ports", [])
	port.nodePort != null
	msg := sprintf(
		"%s: port %s sets spec.ports[%d].nodePort=%v, which opens it on every node; remove the nodePort",
		[k8s.resource, port_name(port, i), i, port.nodePort],
	)
}

port_name(port, i) := sprintf("%q", [port.name]) if is_string(port.name)

else := sprintf("#%d", [i])
