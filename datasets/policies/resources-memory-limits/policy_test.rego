package kpc.policies.resources_memory_limits_test

import data.kpc.policies.resources_memory_limits

full := {"requests": {"cpu": "100m", "memory": "128Mi", "ephemeral-storage": "256Mi"}, "limits": {"cpu": "400m", "memory": "256Mi", "ephemeral-storage": "1Gi"}}

without := json.remove(full, ["limits/memory"])

ok(name) := {"name": name, "image": "x:1", "resources": full}

bad(name) := {"name": name, "image": "x:1", "resources": without}

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

test_denies_missing_value_in_every_kind if {
	spec := {"containers": [bad("app")]}
	count(resources_memory_limits.deny) == 1 with input as pod(spec)
	every kind in ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"] {
		count(resources_memory_limits.deny) == 1 with input as templated(kind, spec)
	}
	count(resources_memory_limits.deny) == 1 with input as cronjob(spec)
}

test_denies_in_containers_and_init_containers if {
	count(resources_memory_limits.deny) == 1 with input as pod({"containers": [ok("app")], "initContainers": [bad("init")]})
	count(resources_memory_limits.deny) == 2 with input as pod({"containers": [bad("a"), bad("b")], "initContainers": [ok("init")]})
	count(resources_memory_limits.deny) == 3 with input as cronjob({"containers": [bad("a"), bad("b")], "initContainers": [bad("init")]})
}

test_ignores_ephemeral_containers if {
	count(resources_memory_limits.deny) == 0 with input as pod({"containers": [ok("app")], "ephemeralContainers": [{"name": "debug", "image": "busybox:1.36"}]})
}

test_denies_missing_resources_sections if {
	count(resources_memory_limits.deny) == 1 with input as pod({"containers": [{"name": "app", "image": "x:1"}]})
	count(resources_memory_limits.deny) == 1 with input as pod({"containers": [{"name": "app", "image": "x:1", "resources": {}}]})
	count(resources_memory_limits.deny) == 1 with input as pod({"containers": [{"name": "app", "image": "x:1", "resources": null}]})
	count(resources_memory_limits.deny) == 1 with input as pod({"containers": [{"name": "app", "image": "x:1", "resources": {"limits": null}}]})
}

test_denies_empty_or_null_value if {
	count(resources_memory_limits.deny) == 1 with input as pod({"containers": [{"name": "app", "resources": {"limits": {"memory": ""}}}]})
	count(resources_memory_limits.deny) == 1 with input as pod({"containers": [{"name": "app", "resources": {"limits": {"memory": null}}}]})
}

test_message_names_resource_container_and_field if {
	some msg in resources_memory_limits.deny with input as templated("Deployment", {"containers": [ok("app")], "initContainers": [bad("setup")]})
	contains(msg, "Deployment shop/w")
	contains(msg, `"setup" (initContainers)`)
	contains(msg, "spec.template.spec.initContainers[0].resources.limits.memory")
}

test_allows_set_values if {
	count(resources_memory_limits.deny) == 0 with input as pod({"containers": [ok("app")], "initContainers": [ok("init")]})
	count(resources_memory_limits.deny) == 0 with input as templated("StatefulSet", {"containers": [ok("a"), ok("b")]})
	count(resources_memory_limits.deny) == 0 with input as cronjob({"containers": [ok("app")]})
	count(resources_memory_limits.deny) == 0 with input as pod({"containers": [{"name": "app", "resources": {"limits": {"memory": "1Gi"}}}]})
}

test_ignores_objects_without_pods if {
	count(resources_memory_limits.deny) == 0 with input as {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {}}
	count(resources_memory_limits.deny) == 0 with input as pod({})
}

test_parameter_max if {
	over := {"name": "app", "image": "registry.internal.example/shop/app:1.0.0", "resources": {"limits": {"memory": "9E"}}}
	under := {"name": "app", "image": "registry.internal.example/shop/app:1.0.0", "resources": {"limits": {"memory": "1m"}}}
	params := {"resources-memory-limits": {"max": "4Gi"}}

	# default: no maximum
	count(data.kpc.policies.resources_memory_limits.deny) == 0 with input as max_pod([over])
	count(data.kpc.policies.resources_memory_limits.deny) == 1 with input as max_pod([over]) with data.kpc.params as params
	count(data.kpc.policies.resources_memory_limits.deny) == 0 with input as max_pod([under]) with data.kpc.params as params
	some msg in data.kpc.policies.resources_memory_limits.deny with input as max_pod([over]) with data.kpc.params as params
	contains(msg, "Pod shop/p: container \"app\" (containers) sets resources.limits.memory 9E, above the maximum ")

	# a value that is no quantity is not judged against the maximum
	count(data.kpc.policies.resources_memory_limits.deny) == 0 with input as max_pod([json.patch(over, [{"op": "replace", "path": "/resources/limits/memory", "value": "lots"}])]) with data.kpc.params as params
}

max_pod(cs) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": {"containers": cs}}
