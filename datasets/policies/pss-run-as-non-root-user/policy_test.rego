package kpc.policies.pss_run_as_non_root_user_test

import data.kpc.policies.pss_run_as_non_root_user

app := {"name": "app", "image": "registry.internal.example/shop/app:1.0.0"}

uid(c, value) := object.union(c, {"securityContext": {"runAsUser": value}})

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "w"}}, "spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

# The same pod spec under every workload kind.
every_kind(spec) := [pod(spec), templated("Deployment", spec), templated("StatefulSet", spec), templated("DaemonSet", spec), templated("ReplicaSet", spec), templated("Job", spec), cronjob(spec)]

service := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "shop"}, "spec": {"type": "ClusterIP"}}

test_denies_pod_uid_zero_in_every_kind if {
	every obj in every_kind({"securityContext": {"runAsNonRoot": true, "runAsUser": 0}, "containers": [app]}) {
		count(pss_run_as_non_root_user.deny) == 1 with input as obj
	}
}

test_denies_container_uid_zero_in_every_list if {
	every obj in every_kind({"securityContext": {"runAsUser": 10001}, "containers": [uid(app, 0)]}) {
		count(pss_run_as_non_root_user.deny) == 1 with input as obj
	}
	count(pss_run_as_non_root_user.deny) == 1 with input as pod({"containers": [app], "initContainers": [uid({"name": "init"}, 0)]})
	count(pss_run_as_non_root_user.deny) == 1 with input as templated("Job", {"containers": [app], "ephemeralContainers": [uid({"name": "debug"}, 0)]})
	count(pss_run_as_non_root_user.deny) == 3 with input as pod({"securityContext": {"runAsUser": 0}, "containers": [uid(app, 0), uid({"name": "b"}, 0)]})
}

test_messages_name_resource_container_and_field if {
	some msg in pss_run_as_non_root_user.deny with input as templated("Deployment", {"containers": [app], "initContainers": [uid({"name": "chown"}, 0)]})
	contains(msg, "Deployment shop/w")
	contains(msg, "container \"chown\" (initContainers)")
	contains(msg, "securityContext.runAsUser=0")
	some pod_msg in pss_run_as_non_root_user.deny with input as cronjob({"securityContext": {"runAsUser": 0}, "containers": [app]})
	contains(pod_msg, "CronJob shop/c: spec.jobTemplate.spec.template.spec.securityContext.runAsUser=0")
}

test_allows_non_zero_and_unset if {
	count(pss_run_as_non_root_user.deny) == 0 with input as pod({"containers": [app]})
	count(pss_run_as_non_root_user.deny) == 0 with input as templated("StatefulSet", {"securityContext": {"runAsUser": 10001}, "containers": [uid(app, 1000)], "initContainers": [uid({"name": "i"}, 65534)]})
	count(pss_run_as_non_root_user.deny) == 0 with input as pod({"securityContext": {"runAsUser": null}, "containers": [uid(app, "0")]})
}

test_ignores_objects_without_pods if {
	count(pss_run_as_non_root_user.deny) == 0 with input as service
}

test_parameter_run_as_user_range if {
	pod := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": {"securityContext": {"runAsUser": 500}, "containers": [{"name": "app", "image": "a:1", "securityContext": {"runAsUser": 70000}}]}}
	params := {"pss-run-as-non-root-user": {"run_as_user": {"min": 10000, "max": 65535}}}
	count(data.kpc.policies.pss_run_as_non_root_user.deny) == 0 with input as pod
	count(data.kpc.policies.pss_run_as_non_root_user.deny) == 2 with input as pod with data.kpc.params as params
	some msg in data.kpc.policies.pss_run_as_non_root_user.deny with input as pod with data.kpc.params as params
	contains(msg, "Pod shop/p: spec.securityContext.runAsUser=500 is outside the allowed UID range 10000-65535")
	count(data.kpc.policies.pss_run_as_non_root_user.deny) == 1 with input as pod with data.kpc.params as {"pss-run-as-non-root-user": {"run_as_user": {"min": 1000}}}
}
