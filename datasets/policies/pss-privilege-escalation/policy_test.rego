package kpc.policies.pss_privilege_escalation_test

import data.kpc.policies.pss_privilege_escalation

ape(name, value) := {"name": name, "image": "registry.internal.example/shop/app:1.0.0", "securityContext": {"allowPrivilegeEscalation": value}}

safe := ape("app", false)

unset := {"name": "app", "image": "registry.internal.example/shop/app:1.0.0", "securityContext": {"runAsNonRoot": true}}

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "w"}}, "spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

# The same pod spec under every workload kind.
every_kind(spec) := [pod(spec), templated("Deployment", spec), templated("StatefulSet", spec), templated("DaemonSet", spec), templated("ReplicaSet", spec), templated("Job", spec), cronjob(spec)]

service := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "shop"}, "spec": {"type": "ClusterIP"}}

test_denies_true_and_unset_in_every_kind if {
	every obj in every_kind({"containers": [ape("app", true)]}) {
		count(pss_privilege_escalation.deny) == 1 with input as obj
	}
	every obj in every_kind({"containers": [unset]}) {
		count(pss_privilege_escalation.deny) == 1 with input as obj
	}
}

test_denies_in_every_container_list if {
	count(pss_privilege_escalation.deny) == 1 with input as pod({"containers": [safe], "initContainers": [{"name": "init"}]})
	count(pss_privilege_escalation.deny) == 1 with input as templated("Deployment", {"containers": [safe], "ephemeralContainers": [ape("debug", true)]})
	count(pss_privilege_escalation.deny) == 3 with input as pod({"containers": [ape("a", true), ape("b", null), {"name": "c", "securityContext": null}]})
}

test_pod_level_value_does_not_count if {
	# allowPrivilegeEscalation only exists on containers
	count(pss_privilege_escalation.deny) == 1 with input as pod({"securityContext": {"allowPrivilegeEscalation": false}, "containers": [unset]})
}

test_messages_name_resource_container_and_field if {
	some msg in pss_privilege_escalation.deny with input as templated("StatefulSet", {"containers": [safe, ape("sidecar", true)]})
	contains(msg, "StatefulSet shop/w")
	contains(msg, "container \"sidecar\" (containers)")
	contains(msg, "sets securityContext.allowPrivilegeEscalation=true")
	some unset_msg in pss_privilege_escalation.deny with input as cronjob({"containers": [safe], "initContainers": [{"name": "migrate"}]})
	contains(unset_msg, "CronJob shop/c")
	contains(unset_msg, "container \"migrate\" (initContainers)")
	contains(unset_msg, "does not set securityContext.allowPrivilegeEscalation")
}

test_allows_explicit_false_everywhere if {
	every obj in every_kind({"containers": [safe, ape("b", false)], "initContainers": [ape("i", false)], "ephemeralContainers": [ape("e", false)]}) {
		count(pss_privilege_escalation.deny) == 0 with input as obj
	}
}

test_windows_pods_are_exempt if {
	count(pss_privilege_escalation.deny) == 0 with input as pod({"os": {"name": "windows"}, "containers": [{"name": "app"}]})
	count(pss_privilege_escalation.deny) == 1 with input as pod({"os": {"name": "linux"}, "containers": [{"name": "app"}]})
}

test_ignores_objects_without_pods if {
	count(pss_privilege_escalation.deny) == 0 with input as service
}
