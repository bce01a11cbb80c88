package kpc.policies.container_no_ssh_port_test

import data.kpc.policies.container_no_ssh_port as ssh

workload(kind, spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "w", "namespace": "shop"}, "spec": spec} if kind == "Pod"

workload(kind, spec) := {"apiVersion": "batch/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}} if kind == "CronJob"

workload(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"spec": spec}}} if {
	not kind in {"Pod", "CronJob"}
}

kinds := ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]

app(ports) := {"name": "app", "image": "registry.internal.example/shop/app:1.0.0", "ports": ports}

service(ports) := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "shop"}, "spec": {"ports": ports}}

test_denies_port_22_in_every_kind_and_list if {
	every kind in kinds {
		every list in ["containers", "initContainers", "ephemeralContainers"] {
			count(ssh.deny) == 1 with input as workload(kind, {list: [app([{"containerPort": 22, "protocol": "TCP"}])]})
		}
	}
}

test_denies_a_port_named_ssh if {
	denials := ssh.deny with input as workload("Deployment", {"containers": [app([{"name": "http", "containerPort": 8080}, {"name": "SSH", "containerPort": 2222}])]})
	count(denials) == 1
	some msg in denials
	contains(msg, `Deployment shop/w: container "app" (containers) exposes ports[1].name=SSH, an SSH port`)
}

test_denies_services_exposing_ssh if {
	count(ssh.deny) == 1 with input as service([{"port": 22, "targetPort": 2222}])
	count(ssh.deny) == 1 with input as service([{"port": 80, "targetPort": 8080}, {"port": 2022, "targetPort": "ssh"}])
	some msg in ssh.deny with input as service([{"name": "ssh", "port": 22, "targetPort": 22}])
	contains(msg, "Service shop/s: spec.ports[0] exposes an SSH port (port=22, targetPort=22, name=ssh)")
}

test_ssh_ports_parameter if {
	count(ssh.deny) == 0 with input as workload("Pod", {"containers": [app([{"containerPort": 2222}])]})
	count(ssh.deny) == 1 with input as workload("Pod", {"containers": [app([{"containerPort": 2222}])]}) with data.kpc.params as {"container-no-ssh-port": {"ssh_ports": [22, 2222]}}
	count(ssh.deny) == 0 with input as workload("Pod", {"containers": [app([{"containerPort": 22}])]}) with data.kpc.params as {"container-no-ssh-port": {"ssh_ports": []}}
}

test_allows_other_ports_and_exempt_images if {
	count(ssh.deny) == 0 with input as workload("Deployment", {"containers": [app([{"name": "http", "containerPort": 8080}, {"containerPort": 220}])]})
	count(ssh.deny) == 0 with input as service([{"port": 443, "targetPort": "https"}])
	count(ssh.deny) == 0 with input as workload("Pod", {"containers": [app([{"containerPort": 22}])]}) with data.kpc.params as {"container-no-ssh-port": {"exempt_images": ["registry.internal.example/*"]}}
	count(ssh.deny) == 0 with input as workload("Pod", {"containers": [app("22")]})
	count(ssh.deny) == 0 with input as {"kind": "Service", "spec": {"ports": "22"}}
}
