package kpc.policies.resources_limit_request_ratio_test

import data.kpc.policies.resources_limit_request_ratio as ratio

res(cpu_req, cpu_lim, mem_req, mem_lim) := {"requests": {"cpu": cpu_req, "memory": mem_req}, "limits": {"cpu": cpu_lim, "memory": mem_lim}}

c(name, resources) := {"name": name, "image": "x:1", "resources": resources}

good := res("250m", "1", "256Mi", "512Mi")

cpu_bad := res("100m", "500m", "256Mi", "512Mi")

mem_bad := res("250m", "1", "256Mi", "1Gi")

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

test_denies_excessive_ratios_in_every_kind if {
	spec := {"containers": [c("app", cpu_bad)]}
	count(ratio.deny) == 1 with input as pod(spec)
	every kind in ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"] {
		count(ratio.deny) == 1 with input as templated(kind, spec)
	}
	count(ratio.deny) == 1 with input as cronjob({"containers": [c("app", mem_bad)]})
}

test_denies_cpu_and_memory_separately if {
	count(ratio.deny) == 2 with input as pod({"containers": [c("app", res("100m", "1", "100Mi", "1Gi"))]})
}

test_denies_in_containers_and_init_containers_not_ephemeral if {
	count(ratio.deny) == 1 with input as pod({"containers": [c("app", good)], "initContainers": [c("init", mem_bad)]})
	count(ratio.deny) == 0 with input as pod({"containers": [c("app", good)], "ephemeralContainers": [c("debug", mem_bad)]})
}

test_boundary_is_allowed if {
	# exactly 4x cpu and 2x memory
	count(ratio.deny) == 0 with input as pod({"containers": [c("app", res("250m", "1", "512Mi", "1Gi"))]})
	count(ratio.deny) == 0 with input as pod({"containers": [c("app", res("0.5", "2000m", "1G", "2000M"))]})

	# just above
	count(ratio.deny) == 1 with input as pod({"containers": [c("app", res("250m", "1001m", "512Mi", "1Gi"))]})
	count(ratio.deny) == 1 with input as pod({"containers": [c("app", res("250m", "1", "512Mi", "1025Mi"))]})
}

test_parses_kubernetes_quantities if {
	# YAML numbers, decimals, exponents, k/M/G and Ki/Mi/Gi
	count(ratio.deny) == 0 with input as pod({"containers": [c("app", res(1, 4, 1073741824, "2Gi"))]})
	count(ratio.deny) == 0 with input as pod({"containers": [c("app", res("1.5", "6", "1e9", "2G"))]})
	count(ratio.deny) == 0 with input as pod({"containers": [c("app", res(".5", "2", "500k", "1000k"))]})
	count(ratio.deny) == 0 with input as pod({"containers": [c("app", res("1", "4", "1048576Ki", "2Gi"))]})
	count(ratio.deny) == 1 with input as pod({"containers": [c("app", res("1", "4", "1Gi", "3G"))]})
	count(ratio.deny) == 1 with input as pod({"containers": [c("app", res("1m", "1", "1Gi", "1Gi"))]})
	count(ratio.deny) == 1 with input as pod({"containers": [c("app", res(0.5, 3, "1Gi", "1Gi"))]})
}

test_zero_request_with_limit_denies if {
	count(ratio.deny) == 1 with input as pod({"containers": [c("app", res("0", "100m", "1Gi", "1Gi"))]})
}

test_message_names_resource_container_values_and_field if {
	some msg in ratio.deny with input as templated("Deployment", {"containers": [c("app", good)], "initContainers": [c("setup", mem_bad)]})
	contains(msg, "Deployment shop/w")
	contains(msg, `"setup" (initContainers)`)
	contains(msg, "resources.limits.memory 1Gi")
	contains(msg, "resources.requests.memory 256Mi")
	contains(msg, "more than 2 x")
	contains(msg, "spec.template.spec.initContainers[0].resources")
}

test_parameters if {
	params := {"resources-limit-request-ratio": {"max_cpu_ratio": 10, "max_memory_ratio": 1}}
	count(ratio.deny) == 0 with input as pod({"containers": [c("app", res("100m", "1", "1Gi", "1Gi"))]}) with data.kpc.params as params
	count(ratio.deny) == 1 with input as pod({"containers": [c("app", res("100m", "1", "512Mi", "1Gi"))]}) with data.kpc.params as params
}

test_skips_missing_or_unparseable_values if {
	count(ratio.deny) == 0 with input as pod({"containers": [{"name": "app"}]})
	count(ratio.deny) == 0 with input as pod({"containers": [{"name": "app", "resources": {"limits": {"cpu": "8", "memory": "8Gi"}}}]})
	count(ratio.deny) == 0 with input as pod({"containers": [{"name": "app", "resources": {"requests": {"cpu": "1m"}, "limits": {"memory": "8Gi"}}}]})
	count(ratio.deny) == 0 with input as pod({"containers": [c("app", res("lots", "8", "1Gi", "huge"))]})
	count(ratio.deny) == 0 with input as pod({"containers": [c("app", res(null, "8", "1Gi", ["2Gi"]))]})
	count(ratio.deny) == 0 with input as pod({"containers": [c("app", res("100u", "8", "1Gi", "1Gb"))]})
	count(ratio.deny) == 0 with input as pod({})
	count(ratio.deny) == 0 with input as {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}}
}

test_allows_within_ratio_everywhere if {
	count(ratio.deny) == 0 with input as cronjob({"containers": [c("app", good)], "initContainers": [c("init", good)]})
	count(ratio.deny) == 0 with input as templated("DaemonSet", {"containers": [c("a", good), c("b", good)]})
}
