package kpc.policies.pss_selinux_test

import data.kpc.policies.pss_selinux

app := {"name": "app", "image": "registry.internal.example/shop/app:1.0.0"}

selinux(c, opts) := object.union(c, {"securityContext": {"seLinuxOptions": opts}})

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "w"}}, "spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

# The same pod spec under every workload kind.
every_kind(spec) := [pod(spec), templated("Deployment", spec), templated("StatefulSet", spec), templated("DaemonSet", spec), templated("ReplicaSet", spec), templated("Job", spec), cronjob(spec)]

service := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "shop"}, "spec": {"type": "ClusterIP"}}

test_denies_custom_type_in_every_kind_and_level if {
	every obj in every_kind({"securityContext": {"seLinuxOptions": {"type": "spc_t"}}, "containers": [app]}) {
		count(pss_selinux.deny) == 1 with input as obj
	}
	every obj in every_kind({"containers": [selinux(app, {"type": "unconfined_t"})]}) {
		count(pss_selinux.deny) == 1 with input as obj
	}
}

test_denies_in_every_container_list if {
	count(pss_selinux.deny) == 1 with input as pod({"containers": [app], "initContainers": [selinux({"name": "init"}, {"type": "spc_t"})]})
	count(pss_selinux.deny) == 1 with input as templated("StatefulSet", {"containers": [app], "ephemeralContainers": [selinux({"name": "debug"}, {"user": "system_u"})]})
}

test_denies_user_and_role if {
	count(pss_selinux.deny) == 2 with input as pod({"securityContext": {"seLinuxOptions": {"user": "system_u", "role": "system_r", "type": "container_t"}}, "containers": [app]})
	count(pss_selinux.deny) == 3 with input as pod({"containers": [selinux(app, {"user": "unconfined_u", "role": "unconfined_r", "type": "spc_t", "level": "s0"})]})
}

test_messages_name_resource_container_and_field if {
	some msg in pss_selinux.deny with input as templated("Deployment", {"containers": [app, selinux({"name": "agent"}, {"type": "spc_t"})]})
	contains(msg, "Deployment shop/w")
	contains(msg, "container \"agent\" (containers)")
	contains(msg, "seLinuxOptions sets type=spc_t")
	some role_msg in pss_selinux.deny with input as cronjob({"securityContext": {"seLinuxOptions": {"role": "sysadm_r"}}, "containers": [app]})
	contains(role_msg, "CronJob shop/c")
	contains(role_msg, "spec.jobTemplate.spec.template.spec.securityContext.seLinuxOptions sets role=sysadm_r")
}

test_allows_container_types_level_and_unset if {
	count(pss_selinux.deny) == 0 with input as pod({"containers": [app]})
	count(pss_selinux.deny) == 0 with input as templated("DaemonSet", {"securityContext": {"seLinuxOptions": {"level": "s0:c123,c456"}}, "containers": [selinux(app, {"type": "container_t"})], "initContainers": [selinux({"name": "i"}, {"type": "container_init_t"})]})
	count(pss_selinux.deny) == 0 with input as pod({"containers": [selinux(app, {"type": "container_kvm_t"}), selinux({"name": "b"}, {"type": "container_engine_t", "user": "", "role": ""})]})
	count(pss_selinux.deny) == 0 with input as pod({"securityContext": {"seLinuxOptions": null}, "containers": [selinux(app, {"type": "", "user": null})]})
}

test_ignores_objects_without_pods if {
	count(pss_selinux.deny) == 0 with input as service
}
