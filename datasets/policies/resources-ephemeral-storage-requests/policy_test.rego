package kpc.policies.resources_ephemeral_storage_requests_test

import data.kpc.policies.resources_ephemeral_storage_requests as policy

c(name, resources) := {"name": name, "image": "registry.internal.example/shop/app:1.0.0", "resources": resources}

deployment(spec) := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"}, "spec": {"template": {"spec": spec}}}

full := {"requests": {"ephemeral-storage": "256Mi"}}

test_denies_missing_request_in_containers_and_init_containers if {
	count(policy.deny) == 1 with input as deployment({"containers": [c("app", {})]})
	count(policy.deny) == 2 with input as deployment({"containers": [c("app", {"requests": {"cpu": "1"}})], "initContainers": [c("init", {"requests": {"ephemeral-storage": ""}})]})
	count(policy.deny) == 1 with input as deployment({"containers": [c("app", {"requests": {"ephemeral-storage": null}})]})
	count(policy.deny) == 1 with input as {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [c("job", {})]}}}}}}
}

test_message_names_resource_container_and_path if {
	some msg in policy.deny with input as deployment({"initContainers": [c("init", {})]})
	msg == "Deployment shop/web: container \"init\" (initContainers) sets no resources.requests.ephemeral-storage (spec.template.spec.initContainers[0].resources.requests.ephemeral-storage); request the disk space it needs, e.g. \"256Mi\""
}

test_allows_requests_and_ignores_ephemeral_containers_and_other_kinds if {
	count(policy.deny) == 0 with input as deployment({"containers": [c("app", full)], "initContainers": [c("init", full)], "ephemeralContainers": [{"name": "debug", "image": "busybox"}]})
	count(policy.deny) == 0 with input as {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {}}
}

test_exempt_images if {
	count(policy.deny) == 0 with input as deployment({"containers": [c("app", {})]}) with data.kpc.params as {"resources-ephemeral-storage-requests": {"exempt_images": ["registry.internal.example/shop/*"]}}
	count(policy.deny) == 1 with input as deployment({"containers": [c("app", {})]}) with data.kpc.params as {"resources-ephemeral-storage-requests": {"exempt_images": ["registry.internal.example/data/*"]}}
}

test_parameter_max if {
	over := {"name": "app", "image": "registry.internal.example/shop/app:1.0.0", "resources": {"requests": {"ephemeral-storage": "9E"}}}
	under := {"name": "app", "image": "registry.internal.example/shop/app:1.0.0", "resources": {"requests": {"ephemeral-storage": "1m"}}}
	params := {"resources-ephemeral-storage-requests": {"max": "8Gi"}}

	# default: no maximum
	count(data.kpc.policies.resources_ephemeral_storage_requests.deny) == 0 with input as max_pod([over])
	count(data.kpc.policies.resources_ephemeral_storage_requests.deny) == 1 with input as max_pod([over]) with data.kpc.params as params
	count(data.kpc.policies.resources_ephemeral_storage_requests.deny) == 0 with input as max_pod([under]) with data.kpc.params as params
	some msg in data.kpc.policies.resources_ephemeral_storage_requests.deny with input as max_pod([over]) with data.kpc.params as params
	contains(msg, "Pod shop/p: container \"app\" (containers) sets resources.requests.ephemeral-storage 9E, above the maximum ")

	# a value that is no quantity is not judged against the maximum
	count(data.kpc.policies.resources_ephemeral_storage_requests.deny) == 0 with input as max_pod([json.patch(over, [{"op": "replace", "path": "/resources/requests/ephemeral-storage", "value": "lots"}])]) with data.kpc.params as params
}

max_pod(cs) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": {"containers": cs}}
