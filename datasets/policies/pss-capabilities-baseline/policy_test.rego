package kpc.policies.pss_capabilities_baseline_test

import data.kpc.policies.pss_capabilities_baseline

adding(name, caps) := {"name": name, "image": "registry.internal.example/shop/app:1.0.0", "securityContext": {"capabilities": {"drop": ["ALL"], "add": caps}}}

safe := adding("app", ["NET_BIND_SERVICE"])

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "w"}}, "spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

# The same pod spec under every workload kind.
every_kind(spec) := [pod(spec), templated("Deployment", spec), templated("StatefulSet", spec), templated("DaemonSet", spec), templated("ReplicaSet", spec), templated("Job", spec), cronjob(spec)]

service := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "shop"}, "spec": {"type": "ClusterIP"}}

test_denies_non_baseline_capability_in_every_kind if {
	every obj in every_kind({"containers": [adding("app", ["SYS_ADMIN"])]}) {
		count(pss_capabilities_baseline.deny) == 1 with input as obj
	}
}

test_denies_in_every_container_list if {
	count(pss_capabilities_baseline.deny) == 1 with input as pod({"containers": [safe], "initContainers": [adding("init", ["NET_ADMIN"])]})
	count(pss_capabilities_baseline.deny) == 1 with input as templated("Job", {"containers": [safe], "ephemeralContainers": [adding("debug", ["SYS_PTRACE"])]})
}

test_one_denial_per_forbidden_capability if {
	count(pss_capabilities_baseline.deny) == 3 with input as pod({"containers": [adding("app", ["NET_RAW", "CHOWN", "SYS_ADMIN", "BPF"])]})
}

test_denies_all_and_prefixed_names if {
	count(pss_capabilities_baseline.deny) == 1 with input as pod({"containers": [adding("app", ["ALL"])]})
	count(pss_capabilities_baseline.deny) == 1 with input as pod({"containers": [adding("app", ["CAP_SYS_ADMIN"])]})
}

test_message_names_resource_container_and_capability if {
	some msg in pss_capabilities_baseline.deny with input as templated("StatefulSet", {"containers": [safe, adding("sidecar", ["NET_RAW"])]})
	contains(msg, "StatefulSet shop/w")
	contains(msg, "container \"sidecar\" (containers)")
	contains(msg, "\"NET_RAW\"")
	contains(msg, "securityContext.capabilities.add")
}

test_allows_every_baseline_capability if {
	caps := ["AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"]
	count(pss_capabilities_baseline.deny) == 0 with input as cronjob({"containers": [adding("app", caps)], "initContainers": [adding("init", caps)]})
}

test_allows_missing_or_empty_add if {
	count(pss_capabilities_baseline.deny) == 0 with input as pod({"containers": [{"name": "app", "image": "x"}]})
	count(pss_capabilities_baseline.deny) == 0 with input as pod({"containers": [adding("app", [])]})
	count(pss_capabilities_baseline.deny) == 0 with input as pod({"containers": [adding("app", null)]})
	count(pss_capabilities_baseline.deny) == 0 with input as pod({"containers": [{"name": "app", "securityContext": {"capabilities": {"drop": ["SYS_ADMIN"]}}}]})
}

test_ignores_objects_without_pods if {
	count(pss_capabilities_baseline.deny) == 0 with input as service
}
