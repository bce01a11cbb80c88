package kpc.policies.pss_capabilities_restricted_test

import data.kpc.policies.pss_capabilities_restricted

caps(name, drop, add) := {"name": name, "image": "registry.internal.example/shop/app:1.0.0", "securityContext": {"capabilities": {"drop": drop, "add": add}}}

safe := caps("app", ["ALL"], [])

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "w"}}, "spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

# The same pod spec under every workload kind.
every_kind(spec) := [pod(spec), templated("Deployment", spec), templated("StatefulSet", spec), templated("DaemonSet", spec), templated("ReplicaSet", spec), templated("Job", spec), cronjob(spec)]

service := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "shop"}, "spec": {"type": "ClusterIP"}}

test_denies_missing_drop_all_in_every_kind if {
	every obj in every_kind({"containers": [caps("app", ["NET_RAW"], [])]}) {
		count(pss_capabilities_restricted.deny) == 1 with input as obj
	}
	every obj in every_kind({"containers": [{"name": "app", "image": "x"}]}) {
		count(pss_capabilities_restricted.deny) == 1 with input as obj
	}
}

test_denies_added_capabilities_other_than_net_bind_service if {
	every obj in every_kind({"containers": [caps("app", ["ALL"], ["CHOWN"])]}) {
		count(pss_capabilities_restricted.deny) == 1 with input as obj
	}
	count(pss_capabilities_restricted.deny) == 2 with input as pod({"containers": [caps("app", ["ALL"], ["NET_BIND_SERVICE", "SYS_ADMIN", "NET_RAW"])]})
}

test_denies_in_every_container_list if {
	count(pss_capabilities_restricted.deny) == 1 with input as pod({"containers": [safe], "initContainers": [caps("init", [], [])]})
	count(pss_capabilities_restricted.deny) == 1 with input as templated("StatefulSet", {"containers": [safe], "ephemeralContainers": [caps("debug", ["ALL"], ["SYS_PTRACE"])]})
}

test_drop_all_is_case_sensitive if {
	count(pss_capabilities_restricted.deny) == 1 with input as pod({"containers": [caps("app", ["all"], null)]})
}

test_messages_name_resource_container_and_field if {
	some msg in pss_capabilities_restricted.deny with input as templated("Deployment", {"containers": [safe, caps("sidecar", ["NET_RAW", "SYS_ADMIN"], [])]})
	contains(msg, "Deployment shop/w")
	contains(msg, "container \"sidecar\" (containers) does not drop ALL in securityContext.capabilities.drop")
	contains(msg, "[\"NET_RAW\", \"SYS_ADMIN\"]")

	some add_msg in pss_capabilities_restricted.deny with input as cronjob({"containers": [safe], "initContainers": [caps("init", ["ALL"], ["CHOWN"])]})
	contains(add_msg, "CronJob shop/c")
	contains(add_msg, "container \"init\" (initContainers) adds capability \"CHOWN\" in securityContext.capabilities.add")

	some none_msg in pss_capabilities_restricted.deny with input as pod({"containers": [{"name": "bare"}]})
	contains(none_msg, "(has [])")
}

test_allows_drop_all_with_optional_net_bind_service if {
	every obj in every_kind({"containers": [safe, caps("web", ["ALL"], ["NET_BIND_SERVICE"])], "initContainers": [caps("i", ["NET_RAW", "ALL"], null)], "ephemeralContainers": [caps("e", ["ALL"], [])]}) {
		count(pss_capabilities_restricted.deny) == 0 with input as obj
	}
}

test_windows_pods_are_exempt if {
	count(pss_capabilities_restricted.deny) == 0 with input as pod({"os": {"name": "windows"}, "containers": [{"name": "app"}]})
}

test_ignores_objects_without_pods if {
	count(pss_capabilities_restricted.deny) == 0 with input as service
}
