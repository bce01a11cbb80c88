package kpc.policies.pss_host_ports_test

import data.kpc.policies.pss_host_ports

with_ports(name, ports) := {"name": name, "image": "registry.internal.example/shop/app:1.0.0", "ports": ports}

app := with_ports("app", [{"name": "http", "containerPort": 8080}])

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "w"}}, "spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

# The same pod spec under every workload kind.
every_kind(spec) := [pod(spec), templated("Deployment", spec), templated("StatefulSet", spec), templated("DaemonSet", spec), templated("ReplicaSet", spec), templated("Job", spec), cronjob(spec)]

service := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "shop"}, "spec": {"type": "ClusterIP"}}

test_denies_host_port_in_every_kind if {
	every obj in every_kind({"containers": [with_ports("app", [{"containerPort": 8080, "hostPort": 8080}])]}) {
		count(pss_host_ports.deny) == 1 with input as obj
	}
}

test_denies_in_every_container_list if {
	count(pss_host_ports.deny) == 1 with input as pod({"containers": [app], "initContainers": [with_ports("init", [{"containerPort": 53, "hostPort": 53, "protocol": "UDP"}])]})
	count(pss_host_ports.deny) == 1 with input as templated("DaemonSet", {"containers": [app], "ephemeralContainers": [with_ports("debug", [{"containerPort": 9000, "hostPort": 9000}])]})
	count(pss_host_ports.deny) == 2 with input as pod({"containers": [with_ports("app", [{"containerPort": 80, "hostPort": 80}, {"containerPort": 443, "hostPort": 443}, {"containerPort": 9090}])]})
}

test_message_names_resource_container_and_port if {
	some msg in pss_host_ports.deny with input as templated("Deployment", {"containers": [app, with_ports("proxy", [{"containerPort": 15001}, {"containerPort": 15090, "hostPort": 15090}])]})
	contains(msg, "Deployment shop/w")
	contains(msg, "container \"proxy\" (containers)")
	contains(msg, "ports[1].hostPort=15090")
}

test_allows_zero_unset_and_null if {
	count(pss_host_ports.deny) == 0 with input as pod({"containers": [app]})
	count(pss_host_ports.deny) == 0 with input as pod({"containers": [with_ports("app", [{"containerPort": 8080, "hostPort": 0}, {"containerPort": 8081, "hostPort": null}])]})
	count(pss_host_ports.deny) == 0 with input as cronjob({"containers": [{"name": "app", "image": "x"}]})
}

test_parameter_allows_listed_ports if {
	obj := templated("DaemonSet", {"containers": [with_ports("app", [{"containerPort": 9100, "hostPort": 9100}, {"containerPort": 8080, "hostPort": 8080}])]})
	count(pss_host_ports.deny) == 2 with input as obj
	msgs := pss_host_ports.deny with input as obj with data.kpc.params["pss-host-ports"].allowed_host_ports as [9100]
	count(msgs) == 1
	some msg in msgs
	contains(msg, "hostPort=8080")
	contains(msg, "allowed: [9100]")
}

test_ignores_objects_without_pods if {
	count(pss_host_ports.deny) == 0 with input as service
}

test_parameter_allowed_host_port_ranges if {
	pod := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": {"containers": [{"name": "a", "image": "a:1", "ports": [{"containerPort": 9100, "hostPort": 9100}, {"containerPort": 9250, "hostPort": 9250}]}]}}
	count(data.kpc.policies.pss_host_ports.deny) == 2 with input as pod
	count(data.kpc.policies.pss_host_ports.deny) == 1 with input as pod with data.kpc.params as {"pss-host-ports": {"allowed_host_ports": [9100]}}
	count(data.kpc.policies.pss_host_ports.deny) == 0 with input as pod with data.kpc.params as {"pss-host-ports": {"allowed_host_ports": [9100, {"min": 9200, "max": 9299}]}}
	count(data.kpc.policies.pss_host_ports.deny) == 1 with input as pod with data.kpc.params as {"pss-host-ports": {"allowed_host_ports": [{"min": 9000, "max": 9199}]}}
	some msg in data.kpc.policies.pss_host_ports.deny with input as pod with data.kpc.params as {"pss-host-ports": {"allowed_host_ports": [{"min": 9000, "max": 9199}]}}
	contains(msg, "ports[1].hostPort=9250; host ports are not allowed (allowed: [\"9000-9199\"])")
}
