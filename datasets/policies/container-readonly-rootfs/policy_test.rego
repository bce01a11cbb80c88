package kpc.policies.container_readonly_rootfs_test

import data.kpc.policies.container_readonly_rootfs

rofs(name, value) := {"name": name, "image": "registry.internal.example/shop/app:1.0.0", "securityContext": {"readOnlyRootFilesystem": value}}

safe := rofs("app", true)

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "w"}}, "spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

# The same pod spec under every workload kind.
every_kind(spec) := [pod(spec), templated("Deployment", spec), templated("StatefulSet", spec), templated("DaemonSet", spec), templated("ReplicaSet", spec), templated("Job", spec), cronjob(spec)]

service := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "shop"}, "spec": {"type": "ClusterIP"}}

test_denies_false_and_unset_in_every_kind if {
	every obj in every_kind({"containers": [rofs("app", false)]}) {
		count(container_readonly_rootfs.deny) == 1 with input as obj
	}
	every obj in every_kind({"containers": [{"name": "app", "image": "x"}]}) {
		count(container_readonly_rootfs.deny) == 1 with input as obj
	}
}

test_denies_in_every_container_list if {
	count(container_readonly_rootfs.deny) == 1 with input as pod({"containers": [safe], "initContainers": [{"name": "init", "securityContext": {"runAsNonRoot": true}}]})
	count(container_readonly_rootfs.deny) == 1 with input as templated("DaemonSet", {"containers": [safe], "ephemeralContainers": [rofs("debug", false)]})
	count(container_readonly_rootfs.deny) == 2 with input as pod({"containers": [rofs("a", null), rofs("b", "true")]})
}

test_pod_level_value_does_not_count if {
	count(container_readonly_rootfs.deny) == 1 with input as pod({"securityContext": {"readOnlyRootFilesystem": true}, "containers": [{"name": "app"}]})
}

test_messages_name_resource_container_and_field if {
	some msg in container_readonly_rootfs.deny with input as templated("Deployment", {"containers": [safe, rofs("sidecar", false)]})
	contains(msg, "Deployment shop/w")
	contains(msg, "container \"sidecar\" (containers) sets securityContext.readOnlyRootFilesystem=false")
	some unset_msg in container_readonly_rootfs.deny with input as cronjob({"containers": [safe], "initContainers": [{"name": "migrate"}]})
	contains(unset_msg, "CronJob shop/c")
	contains(unset_msg, "container \"migrate\" (initContainers) does not set securityContext.readOnlyRootFilesystem")
}

test_allows_true_everywhere if {
	every obj in every_kind({"containers": [safe, rofs("b", true)], "initContainers": [rofs("i", true)], "ephemeralContainers": [rofs("e", true)]}) {
		count(container_readonly_rootfs.deny) == 0 with input as obj
	}
}

test_windows_pods_are_exempt if {
	count(container_readonly_rootfs.deny) == 0 with input as pod({"os": {"name": "windows"}, "containers": [{"name": "app"}]})
}

test_ignores_objects_without_pods if {
	count(container_readonly_rootfs.deny) == 0 with input as service
}
