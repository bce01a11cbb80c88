package kpc.policies.container_env_unique_test

import data.kpc.policies.container_env_unique as env_unique

workload(kind, spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "w", "namespace": "shop"}, "spec": spec} if kind == "Pod"

workload(kind, spec) := {"apiVersion": "batch/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}} if kind == "CronJob"

workload(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"spec": spec}}} if {
	not kind in {"Pod", "CronJob"}
}

kinds := ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]

app(env) := {"name": "app", "image": "registry.internal.example/shop/app:1.0.0", "env": env}

dup := [{"name": "LOG_LEVEL", "value": "info"}, {"name": "PORT", "value": "8080"}, {"name": "LOG_LEVEL", "value": "debug"}]

test_denies_duplicates_in_every_kind_and_list if {
	every kind in kinds {
		every list in ["containers", "initContainers", "ephemeralContainers"] {
			count(env_unique.deny) == 1 with input as workload(kind, {list: [app(dup)]})
		}
	}
}

test_one_denial_per_duplicated_name if {
	env := array.concat(dup, [{"name": "PORT", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}, {"name": "LOG_LEVEL", "value": "warn"}])
	denials := env_unique.deny with input as workload("Deployment", {"containers": [app(env)]})
	count(denials) == 2
	some msg in denials
	contains(msg, `Deployment shop/w: container "app" (containers) sets environment variable "LOG_LEVEL" 3 times (env[0], env[2], env[4])`)
}

test_allows_unique_names_across_containers_and_case if {
	spec := {"containers": [app([{"name": "A", "value": "1"}, {"name": "a", "value": "2"}]), object.union(app([{"name": "A", "value": "3"}]), {"name": "sidecar"})]}
	every kind in kinds {
		count(env_unique.deny) == 0 with input as workload(kind, spec)
	}
}

test_exempt_images_and_malformed_env if {
	count(env_unique.deny) == 0 with input as workload("Pod", {"containers": [app(dup)]}) with data.kpc.params as {"container-env-unique": {"exempt_images": ["*"]}}
	count(env_unique.deny) == 0 with input as workload("Pod", {"containers": [app("x")]})
	count(env_unique.deny) == 0 with input as workload("Pod", {"containers": [app([{"value": "1"}, {"value": "2"}, {"name": 1}, {"name": 1}])]})
}
