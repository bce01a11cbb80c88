package kpc.policies.container_privileged_ports_test

import data.kpc.policies.container_privileged_ports as privileged_ports

workload(kind, spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "w", "namespace": "shop"}, "spec": spec} if kind == "Pod"

workload(kind, spec) := {"apiVersion": "batch/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}} if kind == "CronJob"

workload(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"spec": spec}}} if {
	not kind in {"Pod", "CronJob"}
}

kinds := ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]

app(ports, extra) := object.union({"name": "app", "image": "registry.internal.example/shop/app:1.0.0", "ports": ports}, extra)

net_bind := {"securityContext": {"capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}}}

test_denies_low_ports_in_every_kind_and_list if {
	every kind in kinds {
		every list in ["containers", "initContainers", "ephemeralContainers"] {
			count(privileged_ports.deny) == 1 with input as workload(kind, {list: [app([{"containerPort": 80}], {})]})
		}
	}
}

test_one_denial_per_low_port_with_its_index if {
	denials := privileged_ports.deny with input as workload("Deployment", {"containers": [app([{"containerPort": 8080}, {"containerPort": 443}, {"containerPort": 1}], {})]})
	count(denials) == 2
	some msg in denials
	contains(msg, `Deployment shop/w: container "app" (containers) listens on privileged port ports[1].containerPort=443`)
}

test_net_bind_service_allows_it_unless_the_parameter_says_no if {
	count(privileged_ports.deny) == 0 with input as workload("Pod", {"containers": [app([{"containerPort": 443}], net_bind)]})
	cap_prefixed := {"securityContext": {"capabilities": {"add": ["cap_net_bind_service"]}}}
	count(privileged_ports.deny) == 0 with input as workload("Pod", {"containers": [app([{"containerPort": 443}], cap_prefixed)]})
	count(privileged_ports.deny) == 1 with input as workload("Pod", {"containers": [app([{"containerPort": 443}], net_bind)]}) with data.kpc.params as {"container-privileged-ports": {"allow_with_net_bind_service": false}}
	other_cap := {"securityContext": {"capabilities": {"add": ["NET_RAW"]}}}
	count(privileged_ports.deny) == 1 with input as workload("Pod", {"containers": [app([{"containerPort": 443}], other_cap)]})
}

test_allowed_ports_parameter if {
	spec := {"containers": [app([{"containerPort": 53}, {"containerPort": 80}, {"containerPort": 443}], {})]}
	count(privileged_ports.deny) == 3 with input as workload("DaemonSet", spec)
	count(privileged_ports.deny) == 1 with input as workload("DaemonSet", spec) with data.kpc.params as {"container-privileged-ports": {"allowed_ports": [53, {"min": 80, "max": 100}]}}
}

test_allows_high_ports_and_exempt_images if {
	count(privileged_ports.deny) == 0 with input as workload("Deployment", {"containers": [app([{"containerPort": 1024}, {"containerPort": 8080}, {"containerPort": "80"}, {"containerPort": 0}], {})]})
	count(privileged_ports.deny) == 0 with input as workload("Pod", {"containers": [app([{"containerPort": 80}], {})]}) with data.kpc.params as {"container-privileged-ports": {"exempt_images": ["registry.internal.example/shop/*"]}}
	count(privileged_ports.deny) == 0 with input as workload("Pod", {"containers": [app("80", {"securityContext": {"capabilities": {"add": "NET_BIND_SERVICE"}}})]})
}
