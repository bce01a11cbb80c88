package kpc.policies.pod_run_as_root_group_test

import data.kpc.policies.pod_run_as_root_group

app := {"name": "app", "image": "registry.internal.example/shop/app:1.0.0"}

gid(c, value) := object.union(c, {"securityContext": {"runAsGroup": value}})

pod_security := {"runAsNonRoot": true, "runAsUser": 10001, "runAsGroup": 10001, "fsGroup": 10001}

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "w"}}, "spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

# The same pod spec under every workload kind.
every_kind(spec) := [pod(spec), templated("Deployment", spec), templated("StatefulSet", spec), templated("DaemonSet", spec), templated("ReplicaSet", spec), templated("Job", spec), cronjob(spec)]

service := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "shop"}, "spec": {"type": "ClusterIP"}}

test_denies_pod_root_group_fields_in_every_kind if {
	every field in ["runAsGroup", "fsGroup"] {
		every obj in every_kind({"securityContext": object.union(pod_security, {field: 0}), "containers": [app]}) {
			count(pod_run_as_root_group.deny) == 1 with input as obj
		}
	}
	every obj in every_kind({"securityContext": object.union(pod_security, {"supplementalGroups": [10002, 0]}), "containers": [app]}) {
		count(pod_run_as_root_group.deny) == 1 with input as obj
	}
}

test_denies_container_run_as_group_zero_in_every_list if {
	count(pod_run_as_root_group.deny) == 1 with input as pod({"securityContext": pod_security, "containers": [gid(app, 0)]})
	count(pod_run_as_root_group.deny) == 1 with input as templated("Deployment", {"securityContext": pod_security, "containers": [app], "initContainers": [gid({"name": "init"}, 0)]})
	count(pod_run_as_root_group.deny) == 1 with input as cronjob({"securityContext": pod_security, "containers": [app], "ephemeralContainers": [gid({"name": "debug"}, 0)]})
}

test_every_root_group_is_reported if {
	count(pod_run_as_root_group.deny) == 4 with input as pod({"securityContext": {"runAsGroup": 0, "fsGroup": 0, "supplementalGroups": [0]}, "containers": [gid(app, 0)]})
}

test_messages_name_resource_container_and_field if {
	some msg in pod_run_as_root_group.deny with input as templated("StatefulSet", {"securityContext": pod_security, "containers": [app, gid({"name": "sidecar"}, 0)]})
	contains(msg, "StatefulSet shop/w")
	contains(msg, "container \"sidecar\" (containers) sets securityContext.runAsGroup=0")
	some fs_msg in pod_run_as_root_group.deny with input as cronjob({"securityContext": object.union(pod_security, {"fsGroup": 0}), "containers": [app]})
	contains(fs_msg, "CronJob shop/c: spec.jobTemplate.spec.template.spec.securityContext.fsGroup=0")
	some sup_msg in pod_run_as_root_group.deny with input as pod({"securityContext": {"supplementalGroups": [5, 0]}, "containers": [app]})
	contains(sup_msg, "spec.securityContext.supplementalGroups[1]=0")
}

test_allows_non_zero_and_unset if {
	every obj in every_kind({"securityContext": object.union(pod_security, {"supplementalGroups": [10002]}), "containers": [gid(app, 10001)], "initContainers": [{"name": "i"}]}) {
		count(pod_run_as_root_group.deny) == 0 with input as obj
	}
	count(pod_run_as_root_group.deny) == 0 with input as pod({"containers": [app]})
	count(pod_run_as_root_group.deny) == 0 with input as pod({"securityContext": {"runAsGroup": null, "supplementalGroups": null}, "containers": [gid(app, null)]})
}

test_ignores_objects_without_pods if {
	count(pod_run_as_root_group.deny) == 0 with input as service
}

test_parameters_group_ranges if {
	pod := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": {"securityContext": {"runAsGroup": 500, "fsGroup": 500}, "containers": [{"name": "app", "image": "a:1", "securityContext": {"runAsGroup": 20000}}]}}
	count(data.kpc.policies.pod_run_as_root_group.deny) == 0 with input as pod
	count(data.kpc.policies.pod_run_as_root_group.deny) == 2 with input as pod with data.kpc.params as {"pod-run-as-root-group": {"run_as_group": {"min": 1000, "max": 10000}}}
	count(data.kpc.policies.pod_run_as_root_group.deny) == 1 with input as pod with data.kpc.params as {"pod-run-as-root-group": {"fs_group": {"min": 1000}}}
	some msg in data.kpc.policies.pod_run_as_root_group.deny with input as pod with data.kpc.params as {"pod-run-as-root-group": {"fs_group": {"min": 1000}}}
	msg == "Pod shop/p: spec.securityContext.fsGroup=500 is outside the allowed GID range 1000-"
}
