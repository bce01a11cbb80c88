package kpc.policies.secrets_env_secret_ref_test

import data.kpc.policies.secrets_env_secret_ref as env_secret

workload(kind, spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "w", "namespace": "shop"}, "spec": spec} if kind == "Pod"

workload(kind, spec) := {"apiVersion": "batch/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}} if kind == "CronJob"

workload(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"spec": spec}}} if {
	not kind in {"Pod", "CronJob"}
}

kinds := ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]

app(extra) := object.union({"name": "app", "image": "registry.internal.example/shop/app:1.0.0"}, extra)

env_from := {"envFrom": [{"configMapRef": {"name": "settings"}}, {"secretRef": {"name": "db"}, "prefix": "DB_"}]}

key_ref := {"env": [{"name": "LOG_LEVEL", "value": "info"}, {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}]}

strict := {"secrets-env-secret-ref": {"allow_secret_key_refs": false}}

test_denies_env_from_secret_ref_in_every_kind_and_list if {
	every kind in kinds {
		every list in ["containers", "initContainers", "ephemeralContainers"] {
			count(env_secret.deny) == 1 with input as workload(kind, {list: [app(env_from)]})
		}
	}
}

test_message_names_container_secret_and_field if {
	some msg in env_secret.deny with input as workload("Deployment", {"containers": [app(env_from)]})
	contains(msg, `Deployment shop/w: container "app" (containers) imports every key of Secret "db"`)
	contains(msg, "(envFrom[1].secretRef)")
	contains(msg, "CIS 5.4.1")
}

test_secret_key_refs_only_when_not_allowed if {
	count(env_secret.deny) == 0 with input as workload("Deployment", {"containers": [app(key_ref)]})
	every kind in kinds {
		count(env_secret.deny) == 1 with input as workload(kind, {"initContainers": [app(key_ref)]}) with data.kpc.params as strict
	}
	some msg in env_secret.deny with input as workload("Job", {"containers": [app(key_ref)]}) with data.kpc.params as strict
	contains(msg, `passes key "password" of Secret "db" as environment variable "DB_PASSWORD" (env[1].valueFrom.secretKeyRef)`)
	count(env_secret.deny) == 2 with input as workload("Pod", {"containers": [app(object.union(key_ref, env_from))]}) with data.kpc.params as strict
}

test_allows_config_maps_literals_and_field_refs if {
	spec := {"containers": [app({
		"envFrom": [{"configMapRef": {"name": "settings"}}],
		"env": [
			{"name": "A", "value": "1"},
			{"name": "B", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "b"}}},
			{"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
		],
	})]}
	count(env_secret.deny) == 0 with input as workload("StatefulSet", spec) with data.kpc.params as strict
}

test_exempt_images if {
	count(env_secret.deny) == 0 with input as workload("Pod", {"containers": [app(env_from)]}) with data.kpc.params as {"secrets-env-secret-ref": {"exempt_images": ["registry.internal.example/shop/app:*"]}}
}

test_malformed_never_crashes if {
	count(env_secret.deny) == 0 with input as workload("Pod", {"containers": [app({"envFrom": "x", "env": "y"})]}) with data.kpc.params as strict
	count(env_secret.deny) == 0 with input as workload("Pod", {"containers": [app({"envFrom": [{"secretRef": "db"}], "env": [{"valueFrom": {"secretKeyRef": "db"}}]})]}) with data.kpc.params as strict
}
