package kpc.policies.pss_run_as_non_root_test

import data.kpc.policies.pss_run_as_non_root

app := {"name": "app", "image": "registry.internal.example/shop/app:1.0.0"}

non_root(c, value) := object.union(c, {"securityContext": {"runAsNonRoot": value}})

pod_non_root(value) := {"runAsNonRoot": value, "runAsUser": 10001}

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "w"}}, "spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

# The same pod spec under every workload kind.
every_kind(spec) := [pod(spec), templated("Deployment", spec), templated("StatefulSet", spec), templated("DaemonSet", spec), templated("ReplicaSet", spec), templated("Job", spec), cronjob(spec)]

service := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "shop"}, "spec": {"type": "ClusterIP"}}

test_denies_missing_everywhere_in_every_kind if {
	every obj in every_kind({"containers": [app]}) {
		count(pss_run_as_non_root.deny) == 1 with input as obj
	}
	every obj in every_kind({"securityContext": {"runAsUser": 10001}, "containers": [object.union(app, {"securityContext": {"readOnlyRootFilesystem": true}})]}) {
		count(pss_run_as_non_root.deny) == 1 with input as obj
	}
}

test_denies_pod_false if {
	# pod false and inherited by the container: one denial for the pod, one for the container
	count(pss_run_as_non_root.deny) == 2 with input as templated("Deployment", {"securityContext": pod_non_root(false), "containers": [app]})

	# pod false even though every container overrides it
	count(pss_run_as_non_root.deny) == 1 with input as templated("Deployment", {"securityContext": pod_non_root(false), "containers": [non_root(app, true)]})
}

test_denies_container_false_overriding_pod_true if {
	every obj in every_kind({"securityContext": pod_non_root(true), "containers": [non_root(app, false)]}) {
		count(pss_run_as_non_root.deny) == 1 with input as obj
	}
}

test_denies_in_every_container_list if {
	count(pss_run_as_non_root.deny) == 1 with input as pod({"containers": [non_root(app, true)], "initContainers": [{"name": "init"}]})
	count(pss_run_as_non_root.deny) == 1 with input as pod({"securityContext": pod_non_root(true), "containers": [app], "initContainers": [non_root({"name": "init"}, false)]})
	count(pss_run_as_non_root.deny) == 1 with input as templated("DaemonSet", {"containers": [non_root(app, true)], "ephemeralContainers": [{"name": "debug"}]})
}

test_messages_name_resource_container_and_field if {
	some msg in pss_run_as_non_root.deny with input as templated("StatefulSet", {"securityContext": pod_non_root(true), "containers": [app, non_root({"name": "sidecar"}, false)]})
	contains(msg, "StatefulSet shop/w")
	contains(msg, "container \"sidecar\" (containers)")
	contains(msg, "sets securityContext.runAsNonRoot=false")

	some unset_msg in pss_run_as_non_root.deny with input as cronjob({"containers": [app]})
	contains(unset_msg, "CronJob shop/c")
	contains(unset_msg, "container \"app\" (containers) does not set securityContext.runAsNonRoot, neither does the pod")

	msgs := pss_run_as_non_root.deny with input as pod({"securityContext": pod_non_root(false), "containers": [app]})
	some pod_msg in msgs
	contains(pod_msg, "Pod shop/p: spec.securityContext.runAsNonRoot=false")
	some inherit_msg in msgs
	contains(inherit_msg, "inherits runAsNonRoot=false from spec.securityContext")
}

test_allows_pod_true_or_every_container_true if {
	every obj in every_kind({"securityContext": pod_non_root(true), "containers": [app, non_root({"name": "b"}, true)], "initContainers": [{"name": "i"}], "ephemeralContainers": [{"name": "e"}]}) {
		count(pss_run_as_non_root.deny) == 0 with input as obj
	}
	count(pss_run_as_non_root.deny) == 0 with input as pod({"containers": [non_root(app, true)], "initContainers": [non_root({"name": "i"}, true)]})
}

test_ignores_objects_without_pods if {
	count(pss_run_as_non_root.deny) == 0 with input as service
}
