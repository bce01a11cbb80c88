# A NodePort opens the same port on every node of the cluster, bypassing the ingress controller,
# its TLS and most NetworkPolicy setups that only think about pod traffic. Deny Services of type
# NodePort, and any port of another type with spec.ports[].nodePort set (a LoadBalancer with an
# explicit nodePort, or a leftover after changing the type). Expose Services through an Ingress.
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
	object.get(input.spec, "type", "ClusterIP") != "NodePort"
	some i, port in object.get(input.spec, "ports", [])
	port.nodePort != null
	msg := sprintf(
		"%s: port %s sets spec.ports[%d].nodePort=%v, which opens it on every node; remove the nodePort",
		[k8s.resource, port_name(port, i), i, port.nodePort],
	)
}

port_name(port, i) := sprintf("%q", [port.name]) if is_string(port.name)

else := sprintf("#%d", [i])
