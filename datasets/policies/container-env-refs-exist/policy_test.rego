package kpc.policies.container_env_refs_exist_test

import data.kpc.policies.container_env_refs_exist as refs

workload(kind, spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "w", "namespace": "shop"}, "spec": spec} if kind == "Pod"

workload(kind, spec) := {"apiVersion": "batch/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}} if kind == "CronJob"

workload(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"spec": spec}}} if {
	not kind in {"Pod", "CronJob"}
}

kinds := ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]

app(extra) := object.union({"name": "app", "image": "registry.internal.example/shop/app:1.0.0"}, extra)

inventory := {"namespace": {"shop": {
	"Secret": {"db": {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"}, "data": {"password": ""}, "stringData": {"user": "app"}}},
	"ConfigMap": {"settings": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}, "data": {"level": "info"}, "binaryData": {"cert": ""}}},
}}}

secret_key(name, key) := {"env": [{"name": "V", "valueFrom": {"secretKeyRef": {"name": name, "key": key}}}]}

config_key(name, key) := {"env": [{"name": "V", "valueFrom": {"configMapKeyRef": {"name": name, "key": key}}}]}

test_denies_missing_objects_and_keys_in_every_kind_and_list if {
	every kind in kinds {
		every list in ["containers", "initContainers", "ephemeralContainers"] {
			count(refs.deny) == 1 with input as workload(kind, {list: [app(secret_key("db-v2", "password"))]}) with data.inventory as inventory
			count(refs.deny) == 1 with input as workload(kind, {list: [app(config_key("settings", "colour"))]}) with data.inventory as inventory
		}
	}
}

test_every_reference_form if {
	every extra in [
		secret_key("db", "pasword"),
		config_key("setings", "level"),
		{"envFrom": [{"secretRef": {"name": "db-v2"}}]},
		{"envFrom": [{"configMapRef": {"name": "other"}}]},
	] {
		count(refs.deny) == 1 with input as workload("Deployment", {"containers": [app(extra)]}) with data.inventory as inventory
	}
}

test_messages_name_the_field_object_and_key if {
	some msg in refs.deny with input as workload("Deployment", {"containers": [app(secret_key("db", "pasword"))]}) with data.inventory as inventory
	contains(msg, `Deployment shop/w: container "app" (containers) reads env[0].valueFrom.secretKeyRef but Secret "db" has no key "pasword" in namespace "shop"`)
	some msg2 in refs.deny with input as workload("Job", {"initContainers": [app({"envFrom": [{"configMapRef": {"name": "other"}}]})]}) with data.inventory as inventory
	contains(msg2, `container "app" (initContainers) reads envFrom[0].configMapRef but ConfigMap "other" does not exist`)
}

test_allows_existing_keys_of_every_map_and_optional_references if {
	spec := {"containers": [app({
		"env": [
			{"name": "A", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}},
			{"name": "B", "valueFrom": {"secretKeyRef": {"name": "db", "key": "user"}}},
			{"name": "C", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "level"}}},
			{"name": "D", "valueFrom": {"configMapKeyRef": {"name": "settings", "key": "cert"}}},
			{"name": "E", "valueFrom": {"secretKeyRef": {"name": "gone", "key": "x", "optional": true}}},
			{"name": "F", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
		],
		"envFrom": [{"secretRef": {"name": "db"}}, {"configMapRef": {"name": "gone", "optional": true}}],
	})]}
	every kind in kinds {
		count(refs.deny) == 0 with input as workload(kind, spec) with data.inventory as inventory
	}
}

test_unsynced_kinds_and_namespaces_are_not_judged if {
	count(refs.deny) == 0 with input as workload("Pod", {"containers": [app(secret_key("x", "y"))]})
	only_secrets := {"namespace": {"shop": {"Secret": inventory.namespace.shop.Secret}}}
	count(refs.deny) == 0 with input as workload("Pod", {"containers": [app(config_key("x", "y"))]}) with data.inventory as only_secrets
	count(refs.deny) == 1 with input as workload("Pod", {"containers": [app(secret_key("x", "y"))]}) with data.inventory as only_secrets
}

test_exempt_images_and_malformed_references if {
	count(refs.deny) == 0 with input as workload("Pod", {"containers": [app(secret_key("x", "y"))]}) with data.inventory as inventory with data.kpc.params as {"container-env-refs-exist": {"exempt_images": ["registry.internal.example/*"]}}
	count(refs.deny) == 0 with input as workload("Pod", {"containers": [app({"env": [{"valueFrom": {"secretKeyRef": "db"}}], "envFrom": "x"})]}) with data.inventory as inventory
}
