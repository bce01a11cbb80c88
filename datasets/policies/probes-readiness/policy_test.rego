package kpc.policies.probes_readiness_test

import data.kpc.policies.probes_readiness

probe := {"httpGet": {"path": "/healthz", "port": 8080}, "periodSeconds": 10}

ok(name) := {"name": name, "image": "x:1", "readinessProbe": probe, "livenessProbe": probe}

bad(name) := {"name": name, "image": "x:1", "livenessProbe": probe}

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

test_denies_missing_probe_in_long_running_kinds if {
	spec := {"containers": [bad("app")]}
	count(probes_readiness.deny) == 1 with input as pod(spec)
	every kind in ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"] {
		count(probes_readiness.deny) == 1 with input as templated(kind, spec)
	}
	count(probes_readiness.deny) == 2 with input as templated("Deployment", {"containers": [bad("a"), bad("b")]})
	count(probes_readiness.deny) == 1 with input as pod({"containers": [ok("a"), {"name": "b", "readinessProbe": null}]})
}

test_ignores_batch_kinds if {
	count(probes_readiness.deny) == 0 with input as templated("Job", {"containers": [bad("app")]})
	count(probes_readiness.deny) == 0 with input as cronjob({"containers": [bad("app")]})
}

test_ignores_init_and_ephemeral_containers if {
	count(probes_readiness.deny) == 0 with input as pod({"containers": [ok("app")], "initContainers": [bad("init")], "ephemeralContainers": [bad("debug")]})
}

test_message_names_resource_container_and_field if {
	some msg in probes_readiness.deny with input as templated("StatefulSet", {"containers": [ok("app"), bad("sidecar")]})
	contains(msg, "StatefulSet shop/w")
	contains(msg, `"sidecar" (containers)`)
	contains(msg, "spec.template.spec.containers[1].readinessProbe")
}

test_allows_probed_containers if {
	count(probes_readiness.deny) == 0 with input as pod({"containers": [ok("app")]})
	count(probes_readiness.deny) == 0 with input as templated("DaemonSet", {"containers": [ok("a"), ok("b")]})
	count(probes_readiness.deny) == 0 with input as pod({"containers": [{"name": "app", "readinessProbe": {"tcpSocket": {"port": 5432}}}]})
}

test_missing_fields_do_not_crash if {
	count(probes_readiness.deny) == 0 with input as pod({})
	count(probes_readiness.deny) == 0 with input as {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}}
	count(probes_readiness.deny) == 1 with input as pod({"containers": [{}]})
}
