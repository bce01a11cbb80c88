package kpc.policies.pss_seccomp_restricted_test

import data.kpc.policies.pss_seccomp_restricted

app := {"name": "app", "image": "registry.internal.example/shop/app:1.0.0"}

seccomp(c, t) := object.union(c, {"securityContext": {"seccompProfile": {"type": t}}})

pod_seccomp(t) := {"runAsNonRoot": true, "seccompProfile": {"type": t}}

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "w"}}, "spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

# The same pod spec under every workload kind.
every_kind(spec) := [pod(spec), templated("Deployment", spec), templated("StatefulSet", spec), templated("DaemonSet", spec), templated("ReplicaSet", spec), templated("Job", spec), cronjob(spec)]

service := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "shop"}, "spec": {"type": "ClusterIP"}}

test_denies_missing_profile_in_every_kind if {
	every obj in every_kind({"securityContext": {"runAsNonRoot": true}, "containers": [app]}) {
		count(pss_seccomp_restricted.deny) == 1 with input as obj
	}
}

test_denies_each_container_without_profile if {
	count(pss_seccomp_restricted.deny) == 1 with input as pod({"containers": [seccomp(app, "RuntimeDefault")], "initContainers": [{"name": "init"}]})
	count(pss_seccomp_restricted.deny) == 1 with input as templated("DaemonSet", {"containers": [seccomp(app, "Localhost")], "ephemeralContainers": [{"name": "debug"}]})
	count(pss_seccomp_restricted.deny) == 2 with input as pod({"containers": [app, {"name": "b", "securityContext": {"seccompProfile": null}}]})
}

test_denies_unconfined_pod_profile if {
	# the pod profile is forbidden and gives the container no valid profile
	every obj in every_kind({"securityContext": pod_seccomp("Unconfined"), "containers": [app]}) {
		count(pss_seccomp_restricted.deny) == 2 with input as obj
	}

	# forbidden even when every container sets a valid profile
	count(pss_seccomp_restricted.deny) == 1 with input as pod({"securityContext": pod_seccomp("Unconfined"), "containers": [seccomp(app, "RuntimeDefault")]})
}

test_denies_container_overriding_with_bad_type if {
	every obj in every_kind({"securityContext": pod_seccomp("RuntimeDefault"), "containers": [seccomp(app, "Unconfined")]}) {
		count(pss_seccomp_restricted.deny) == 1 with input as obj
	}
	count(pss_seccomp_restricted.deny) == 1 with input as pod({"securityContext": pod_seccomp("RuntimeDefault"), "containers": [app], "initContainers": [{"name": "i", "securityContext": {"seccompProfile": {}}}]})
}

test_messages_name_resource_container_and_field if {
	some msg in pss_seccomp_restricted.deny with input as templated("Deployment", {"containers": [seccomp(app, "RuntimeDefault")], "initContainers": [{"name": "migrate"}]})
	contains(msg, "Deployment shop/w")
	contains(msg, "container \"migrate\" (initContainers) has no seccomp profile")
	contains(msg, "spec.template.spec.securityContext")

	some bad_msg in pss_seccomp_restricted.deny with input as templated("StatefulSet", {"securityContext": pod_seccomp("RuntimeDefault"), "containers": [seccomp(app, "Unconfined")]})
	contains(bad_msg, "container \"app\" (containers) sets securityContext.seccompProfile.type=Unconfined")

	pod_msgs := pss_seccomp_restricted.deny with input as cronjob({"securityContext": pod_seccomp("Unconfined"), "containers": [seccomp(app, "RuntimeDefault")]})
	some pod_msg in pod_msgs
	contains(pod_msg, "CronJob shop/c: spec.jobTemplate.spec.template.spec.securityContext.seccompProfile.type=Unconfined")

	some typeless in pss_seccomp_restricted.deny with input as pod({"securityContext": {"seccompProfile": {}}, "containers": [seccomp(app, "RuntimeDefault")]})
	contains(typeless, "seccompProfile.type=<unset>")
}

test_allows_pod_profile_or_every_container_profile if {
	every obj in every_kind({"securityContext": pod_seccomp("RuntimeDefault"), "containers": [app, seccomp({"name": "b"}, "Localhost")], "initContainers": [{"name": "i"}], "ephemeralContainers": [{"name": "e"}]}) {
		count(pss_seccomp_restricted.deny) == 0 with input as obj
	}
	count(pss_seccomp_restricted.deny) == 0 with input as pod({"securityContext": pod_seccomp("Localhost"), "containers": [app]})
	count(pss_seccomp_restricted.deny) == 0 with input as pod({"containers": [seccomp(app, "RuntimeDefault")], "initContainers": [seccomp({"name": "i"}, "Localhost")]})
}

test_windows_pods_are_exempt if {
	count(pss_seccomp_restricted.deny) == 0 with input as pod({"os": {"name": "windows"}, "containers": [app]})
}

test_ignores_objects_without_pods if {
	count(pss_seccomp_restricted.deny) == 0 with input as service
}
