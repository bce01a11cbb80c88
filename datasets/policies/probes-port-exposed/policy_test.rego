package kpc.policies.probes_port_exposed_test

import data.kpc.policies.probes_port_exposed as probe_ports

workload(kind, spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "w", "namespace": "shop"}, "spec": spec} if kind == "Pod"

workload(kind, spec) := {"apiVersion": "batch/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}} if kind == "CronJob"

workload(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"spec": spec}}} if {
	not kind in {"Pod", "CronJob"}
}

kinds := ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]

app(extra) := object.union({"name": "app", "image": "registry.internal.example/shop/app:1.0.0", "ports": [{"name": "http", "containerPort": 8080}, {"name": "grpc", "containerPort": 9090}]}, extra)

test_denies_undeclared_ports_in_every_kind_and_list if {
	every kind in kinds {
		every list in ["containers", "initContainers"] {
			count(probe_ports.deny) == 1 with input as workload(kind, {list: [app({"livenessProbe": {"httpGet": {"path": "/", "port": "metrics"}}})]})
			count(probe_ports.deny) == 1 with input as workload(kind, {list: [app({"readinessProbe": {"tcpSocket": {"port": 8081}}})]})
		}
	}
}

test_every_probe_and_handler if {
	c := app({
		"livenessProbe": {"httpGet": {"port": "health"}},
		"readinessProbe": {"tcpSocket": {"port": 8443}},
		"startupProbe": {"grpc": {"port": 9091}},
	})
	count(probe_ports.deny) == 3 with input as workload("Deployment", {"containers": [c]})
}

test_messages_name_the_probe_port_and_what_is_declared if {
	some msg in probe_ports.deny with input as workload("StatefulSet", {"containers": [app({"livenessProbe": {"httpGet": {"port": "metrics"}}})]})
	contains(msg, `StatefulSet shop/w: container "app" (containers) probes livenessProbe.httpGet.port=metrics, but no ports[].name is "metrics" (names: ["grpc", "http"])`)
	some msg2 in probe_ports.deny with input as workload("Pod", {"containers": [app({"startupProbe": {"grpc": {"port": 9091}}})]})
	contains(msg2, "probes startupProbe.grpc.port=9091, but no ports[].containerPort is 9091 (ports: [8080, 9090])")
}

test_allows_declared_ports_and_exec_probes if {
	c := app({
		"livenessProbe": {"httpGet": {"path": "/", "port": "http"}},
		"readinessProbe": {"tcpSocket": {"port": 8080}},
		"startupProbe": {"grpc": {"port": 9090}},
	})
	every kind in kinds {
		count(probe_ports.deny) == 0 with input as workload(kind, {"containers": [c, app({"name": "b", "livenessProbe": {"exec": {"command": ["true"]}}})]})
	}
}

test_check_numeric_ports_parameter if {
	spec := {"containers": [app({"readinessProbe": {"tcpSocket": {"port": 8081}}, "livenessProbe": {"httpGet": {"port": "metrics"}}})]}
	count(probe_ports.deny) == 2 with input as workload("Deployment", spec)
	count(probe_ports.deny) == 1 with input as workload("Deployment", spec) with data.kpc.params as {"probes-port-exposed": {"check_numeric_ports": false}}
}

test_exempt_images_and_malformed_containers if {
	spec := {"containers": [app({"readinessProbe": {"tcpSocket": {"port": 1}}})]}
	count(probe_ports.deny) == 0 with input as workload("Pod", spec) with data.kpc.params as {"probes-port-exposed": {"exempt_images": ["registry.internal.example/*"]}}
	no_ports := {"containers": [{"name": "a", "ports": "x", "livenessProbe": {"httpGet": {"port": "http"}}}]}
	count(probe_ports.deny) == 1 with input as workload("Pod", no_ports)
	count(probe_ports.deny) == 0 with input as workload("Pod", {"containers": [{"name": "a", "livenessProbe": {"httpGet": {"port": true}}}]})
}
