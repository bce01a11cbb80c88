package kpc.policies.pod_no_shared_process_namespace_test

import data.kpc.policies.pod_no_shared_process_namespace

app := {"name": "app", "image": "registry.internal.example/shop/app:1.0.0"}

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "w"}}, "spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

# The same pod spec under every workload kind.
every_kind(spec) := [pod(spec), templated("Deployment", spec), templated("StatefulSet", spec), templated("DaemonSet", spec), templated("ReplicaSet", spec), templated("Job", spec), cronjob(spec)]

service := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "shop"}, "spec": {"type": "ClusterIP"}}

test_denies_shared_process_namespace_in_every_kind if {
	every obj in every_kind({"shareProcessNamespace": true, "containers": [app, {"name": "sidecar"}]}) {
		count(pod_no_shared_process_namespace.deny) == 1 with input as obj
	}
}

test_message_names_resource_and_field if {
	some msg in pod_no_shared_process_namespace.deny with input as templated("Deployment", {"shareProcessNamespace": true, "containers": [app]})
	contains(msg, "Deployment shop/w: spec.template.spec.shareProcessNamespace=true")
	some cron_msg in pod_no_shared_process_namespace.deny with input as cronjob({"shareProcessNamespace": true, "containers": [app]})
	contains(cron_msg, "CronJob shop/c: spec.jobTemplate.spec.template.spec.shareProcessNamespace=true")
}

test_allows_false_and_unset if {
	count(pod_no_shared_process_namespace.deny) == 0 with input as pod({"containers": [app]})
	count(pod_no_shared_process_namespace.deny) == 0 with input as templated("StatefulSet", {"shareProcessNamespace": false, "containers": [app]})
	count(pod_no_shared_process_namespace.deny) == 0 with input as pod({"shareProcessNamespace": null, "containers": [app]})
}

test_ignores_objects_without_pods if {
	count(pod_no_shared_process_namespace.deny) == 0 with input as service
}
