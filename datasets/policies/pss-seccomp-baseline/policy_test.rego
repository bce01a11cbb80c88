package kpc.policies.pss_seccomp_baseline_test

import data.kpc.policies.pss_seccomp_baseline

app := {"name": "app", "image": "registry.internal.example/shop/app:1.0.0"}

seccomp(c, t) := object.union(c, {"securityContext": {"seccompProfile": {"type": t}}})

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "w"}}, "spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

# The same pod spec under every workload kind.
every_kind(spec) := [pod(spec), templated("Deployment", spec), templated("StatefulSet", spec), templated("DaemonSet", spec), templated("ReplicaSet", spec), templated("Job", spec), cronjob(spec)]

service := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "shop"}, "spec": {"type": "ClusterIP"}}

test_denies_unconfined_in_every_kind_and_level if {
	every obj in every_kind({"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": [app]}) {
		count(pss_seccomp_baseline.deny) == 1 with input as obj
	}
	every obj in every_kind({"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}, "containers": [seccomp(app, "Unconfined")]}) {
		count(pss_seccomp_baseline.deny) == 1 with input as obj
	}
}

test_denies_in_every_container_list if {
	count(pss_seccomp_baseline.deny) == 1 with input as pod({"containers": [app], "initContainers": [seccomp({"name": "init"}, "Unconfined")]})
	count(pss_seccomp_baseline.deny) == 1 with input as templated("DaemonSet", {"containers": [app], "ephemeralContainers": [seccomp({"name": "debug"}, "Unconfined")]})
	count(pss_seccomp_baseline.deny) == 3 with input as pod({"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": [seccomp(app, "Unconfined"), seccomp({"name": "b"}, "unconfined")]})
}

test_messages_name_resource_container_and_field if {
	some msg in pss_seccomp_baseline.deny with input as templated("Deployment", {"containers": [app, seccomp({"name": "sidecar"}, "Unconfined")]})
	contains(msg, "Deployment shop/w")
	contains(msg, "container \"sidecar\" (containers)")
	contains(msg, "securityContext.seccompProfile.type=Unconfined")
	some pod_msg in pss_seccomp_baseline.deny with input as cronjob({"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": [app]})
	contains(pod_msg, "CronJob shop/c: spec.jobTemplate.spec.template.spec.securityContext.seccompProfile.type=Unconfined")
}

test_allows_runtime_default_localhost_and_unset if {
	count(pss_seccomp_baseline.deny) == 0 with input as pod({"containers": [app]})
	count(pss_seccomp_baseline.deny) == 0 with input as templated("Job", {"securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "profiles/audit.json"}}, "containers": [seccomp(app, "RuntimeDefault")], "initContainers": [seccomp({"name": "i"}, "Localhost")]})
	count(pss_seccomp_baseline.deny) == 0 with input as pod({"securityContext": {"seccompProfile": null}, "containers": [object.union(app, {"securityContext": {}})]})
}

test_ignores_objects_without_pods if {
	count(pss_seccomp_baseline.deny) == 0 with input as service
}
