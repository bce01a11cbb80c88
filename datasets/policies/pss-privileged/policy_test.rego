package kpc.policies.pss_privileged_test

import data.kpc.policies.pss_privileged

privileged := {"name": "app", "image": "registry.internal.example/shop/app:1.0.0", "securityContext": {"privileged": true}}

safe := {"name": "app", "image": "registry.internal.example/shop/app:1.0.0", "securityContext": {"privileged": false}}

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

test_denies_privileged_container_in_every_kind if {
	count(pss_privileged.deny) == 1 with input as pod({"containers": [privileged]})
	every kind in ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"] {
		count(pss_privileged.deny) == 1 with input as templated(kind, {"containers": [privileged]})
	}
	count(pss_privileged.deny) == 1 with input as cronjob({"containers": [privileged]})
}

test_denies_in_every_container_list if {
	count(pss_privileged.deny) == 1 with input as pod({"containers": [safe], "initContainers": [privileged]})
	count(pss_privileged.deny) == 1 with input as pod({"containers": [safe], "ephemeralContainers": [privileged]})
	count(pss_privileged.deny) == 2 with input as pod({"containers": [privileged, object.union(privileged, {"name": "sidecar"})]})
}

test_message_names_resource_container_and_field if {
	some msg in pss_privileged.deny with input as templated("Deployment", {"containers": [safe], "initContainers": [object.union(privileged, {"name": "setup"})]})
	contains(msg, "Deployment shop/w")
	contains(msg, "\"setup\"")
	contains(msg, "securityContext.privileged")
}

test_allows_unprivileged_or_unset if {
	count(pss_privileged.deny) == 0 with input as pod({"containers": [safe]})
	count(pss_privileged.deny) == 0 with input as pod({"containers": [{"name": "app", "image": "x"}]})
	count(pss_privileged.deny) == 0 with input as templated("DaemonSet", {"containers": [safe], "initContainers": [safe]})
}

test_ignores_objects_without_pods if {
	count(pss_privileged.deny) == 0 with input as {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {}}
}
