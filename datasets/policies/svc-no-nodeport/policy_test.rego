package kpc.policies.svc_no_nodeport_test

import data.kpc.policies.svc_no_nodeport

svc(spec) := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"}, "spec": spec}

http := {"name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP"}

test_denies_type_nodeport if {
	count(svc_no_nodeport.deny) == 1 with input as svc({"type": "NodePort", "ports": [http]})
	count(svc_no_nodeport.deny) == 1 with input as svc({"type": "NodePort", "ports": [object.union(http, {"nodePort": 30080})]})
	some msg in svc_no_nodeport.deny with input as svc({"type": "NodePort", "ports": [http]})
	contains(msg, "Service shop/web")
	contains(msg, "spec.type is NodePort")
}

test_denies_node_port_on_cluster_ip_services if {
	count(svc_no_nodeport.deny) == 1 with input as svc({"type": "ClusterIP", "ports": [object.union(http, {"nodePort": 30080})]})
	count(svc_no_nodeport.deny) == 2 with input as svc({"ports": [object.union(http, {"nodePort": 30080}), {"port": 9090, "nodePort": 30090}]})
}

test_message_names_resource_port_and_field if {
	some msg in svc_no_nodeport.deny with input as svc({"type": "ClusterIP", "ports": [http, object.union(http, {"name": "https", "nodePort": 30443})]})
	contains(msg, "Service shop/web")
	contains(msg, "\"https\"")
	contains(msg, "spec.ports[1].nodePort=30443")
	some msg2 in svc_no_nodeport.deny with input as svc({"ports": [{"port": 9090, "nodePort": 30090}]})
	contains(msg2, "port #0")
}

# regression (issue 15): the API server allocates a LoadBalancer's nodePorts; they are not a finding
test_allows_load_balancer_node_ports if {
	count(svc_no_nodeport.deny) == 0 with input as svc({"type": "LoadBalancer", "ports": [object.union(http, {"nodePort": 30080})]})
	count(svc_no_nodeport.deny) == 0 with input as svc({"type": "LoadBalancer", "ports": [http, object.union(http, {"name": "https", "nodePort": 30443})]})
}

test_allows_cluster_ip_services if {
	count(svc_no_nodeport.deny) == 0 with input as svc({"type": "ClusterIP", "ports": [http, object.union(http, {"name": "metrics", "port": 9090})]})
	count(svc_no_nodeport.deny) == 0 with input as svc({"ports": [http]})
	count(svc_no_nodeport.deny) == 0 with input as svc({"type": "ClusterIP", "clusterIP": "None", "ports": [object.union(http, {"nodePort": null})]})
}

test_missing_or_malformed_fields_never_crash if {
	count(svc_no_nodeport.deny) == 0 with input as {"kind": "Service"}
	count(svc_no_nodeport.deny) == 0 with input as svc(null)
	count(svc_no_nodeport.deny) == 0 with input as svc({"ports": [null, "x", {}]})
}

test_ignores_other_kinds if {
	count(svc_no_nodeport.deny) == 0 with input as object.union(svc({"type": "NodePort"}), {"kind": "Endpoints"})
}
