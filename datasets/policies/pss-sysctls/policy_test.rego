package kpc.policies.pss_sysctls_test

import data.kpc.policies.pss_sysctls

app := {"name": "app", "image": "registry.internal.example/shop/app:1.0.0"}

with_sysctls(names) := {"securityContext": {"runAsNonRoot": true, "sysctls": [{"name": n, "value": "1"} | some n in names]}, "containers": [app]}

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "w"}}, "spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

# The same pod spec under every workload kind.
every_kind(spec) := [pod(spec), templated("Deployment", spec), templated("StatefulSet", spec), templated("DaemonSet", spec), templated("ReplicaSet", spec), templated("Job", spec), cronjob(spec)]

service := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "shop"}, "spec": {"type": "ClusterIP"}}

test_denies_unsafe_sysctl_in_every_kind if {
	every obj in every_kind(with_sysctls(["net.core.somaxconn"])) {
		count(pss_sysctls.deny) == 1 with input as obj
	}
}

test_one_denial_per_unsafe_sysctl if {
	count(pss_sysctls.deny) == 2 with input as templated("StatefulSet", with_sysctls(["kernel.msgmax", "net.ipv4.tcp_syncookies", "vm.max_map_count"]))
}

test_message_names_resource_field_and_sysctl if {
	some msg in pss_sysctls.deny with input as templated("Deployment", with_sysctls(["net.ipv4.ip_local_port_range", "kernel.msgmax"]))
	contains(msg, "Deployment shop/w")
	contains(msg, "spec.template.spec.securityContext.sysctls[1]")
	contains(msg, "\"kernel.msgmax\"")
}

test_denies_unnamed_sysctl if {
	some msg in pss_sysctls.deny with input as pod({"securityContext": {"sysctls": [{"value": "1"}]}, "containers": [app]})
	contains(msg, "<unnamed>")
}

test_allows_every_safe_sysctl if {
	safe := [
		"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.ip_unprivileged_port_start",
		"net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_local_reserved_ports",
		"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl",
		"net.ipv4.tcp_keepalive_probes",
	]
	count(pss_sysctls.deny) == 0 with input as cronjob(with_sysctls(safe))
}

test_allows_unset_and_empty if {
	count(pss_sysctls.deny) == 0 with input as pod({"containers": [app]})
	count(pss_sysctls.deny) == 0 with input as pod(with_sysctls([]))
	count(pss_sysctls.deny) == 0 with input as pod({"securityContext": {"sysctls": null}, "containers": [app]})
}

test_ignores_objects_without_pods if {
	count(pss_sysctls.deny) == 0 with input as service
}
