package kpc.policies.pss_host_probes_test

import data.kpc.policies.pss_host_probes

workload(kind, spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "w", "namespace": "shop"}, "spec": spec} if kind == "Pod"

workload(kind, spec) := {"apiVersion": "batch/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}} if kind == "CronJob"

workload(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"spec": spec}}} if {
	not kind in {"Pod", "CronJob"}
}

kinds := ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]

app(extra) := object.union({"name": "app", "image": "registry.internal.example/shop/app:1.0.0"}, extra)

test_denies_probe_hosts_in_every_kind_and_list if {
	every kind in kinds {
		every list in ["containers", "initContainers", "ephemeralContainers"] {
			count(pss_host_probes.deny) == 1 with input as workload(kind, {list: [app({"livenessProbe": {"httpGet": {"path": "/", "port": 8080, "host": "10.0.0.1"}}})]})
		}
	}
}

test_denies_every_probe_and_lifecycle_handler if {
	c := app({
		"livenessProbe": {"httpGet": {"port": 8080, "host": "169.254.169.254"}},
		"readinessProbe": {"tcpSocket": {"port": 8080, "host": "kubernetes.default"}},
		"startupProbe": {"httpGet": {"port": 8080, "host": "127.0.0.1"}},
		"lifecycle": {
			"postStart": {"httpGet": {"port": 80, "host": "metadata.google.internal"}},
			"preStop": {"tcpSocket": {"port": 80, "host": "10.96.0.1"}},
		},
	})
	denials := pss_host_probes.deny with input as workload("Deployment", {"containers": [c]})
	count(denials) == 5
	some m1 in denials
	contains(m1, "livenessProbe.httpGet.host=169.254.169.254")
	some m2 in denials
	contains(m2, "readinessProbe.tcpSocket.host=kubernetes.default")
	some m3 in denials
	contains(m3, "lifecycle.postStart.httpGet.host=metadata.google.internal")
	some m4 in denials
	contains(m4, "lifecycle.preStop.tcpSocket.host=10.96.0.1")
}

test_message_names_resource_container_list_and_fix if {
	some msg in pss_host_probes.deny with input as workload("CronJob", {"initContainers": [app({"name": "wait", "startupProbe": {"tcpSocket": {"port": 5432, "host": "db"}}})]})
	contains(msg, "CronJob shop/w")
	contains(msg, `container "wait" (initContainers)`)
	contains(msg, "startupProbe.tcpSocket.host=db")
	contains(msg, "must not set a host")
}

test_allows_unset_or_empty_host_and_exec_or_grpc if {
	c := app({
		"livenessProbe": {"httpGet": {"path": "/", "port": 8080}},
		"readinessProbe": {"tcpSocket": {"port": 8080, "host": ""}},
		"startupProbe": {"grpc": {"port": 9090}},
		"lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}, "postStart": {"httpGet": {"port": 80, "host": null}}},
	})
	every kind in kinds {
		count(pss_host_probes.deny) == 0 with input as workload(kind, {"containers": [c]})
	}
}

test_allowed_hosts_parameter if {
	c := app({"livenessProbe": {"httpGet": {"port": 8080, "host": "127.0.0.1"}}})
	count(pss_host_probes.deny) == 1 with input as workload("Pod", {"containers": [c]})
	count(pss_host_probes.deny) == 0 with input as workload("Pod", {"containers": [c]}) with data.kpc.params as {"pss-host-probes": {"allowed_hosts": ["127.0.0.1"]}}
	count(pss_host_probes.deny) == 1 with input as workload("Pod", {"containers": [c]}) with data.kpc.params as {"pss-host-probes": {"allowed_hosts": ["localhost"]}}
}

test_exempt_images if {
	c := app({"livenessProbe": {"httpGet": {"port": 8080, "host": "10.0.0.1"}}})
	count(pss_host_probes.deny) == 0 with input as workload("Pod", {"containers": [c]}) with data.kpc.params as {"pss-host-probes": {"exempt_images": ["registry.internal.example/shop/*"]}}
}

test_malformed_handlers_never_crash if {
	every spec in [
		{"containers": [app({"livenessProbe": "http", "lifecycle": "x"})]},
		{"containers": [app({"readinessProbe": {"httpGet": "x"}, "lifecycle": {"preStop": []}})]},
		{"containers": "nope"},
		{},
	] {
		count(pss_host_probes.deny) == 0 with input as workload("Pod", spec)
	}
	count(pss_host_probes.deny) == 0 with input as {"kind": "Service", "spec": {"containers": [app({"livenessProbe": {"httpGet": {"host": "x"}}})]}}
}
