package kpc.policies.container_no_stdin_tty_test

import data.kpc.policies.container_no_stdin_tty as stdin_tty

workload(kind, spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "w", "namespace": "shop"}, "spec": spec} if kind == "Pod"

workload(kind, spec) := {"apiVersion": "batch/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}} if kind == "CronJob"

workload(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"spec": spec}}} if {
	not kind in {"Pod", "CronJob"}
}

kinds := ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]

app(extra) := object.union({"name": "app", "image": "registry.internal.example/shop/app:1.0.0"}, extra)

test_denies_stdin_or_tty_in_every_kind_and_list if {
	every kind in kinds {
		every list in ["containers", "initContainers"] {
			every field in ["stdin", "stdinOnce", "tty"] {
				count(stdin_tty.deny) == 1 with input as workload(kind, {list: [app({field: true})]})
			}
		}
	}
}

test_one_message_per_container_naming_every_field if {
	denials := stdin_tty.deny with input as workload("Deployment", {"containers": [app({"stdin": true, "tty": true}), app({"name": "sidecar"})]})
	count(denials) == 1
	some msg in denials
	contains(msg, "Deployment shop/w")
	contains(msg, `container "app" (containers) sets stdin=true, tty=true`)
	contains(msg, "kubectl debug")
}

test_allows_false_unset_and_non_boolean if {
	every kind in kinds {
		count(stdin_tty.deny) == 0 with input as workload(kind, {"containers": [app({"stdin": false, "tty": false}), app({"name": "b"}), app({"name": "c", "tty": "true"})]})
	}
}

test_ephemeral_debug_containers_are_not_checked if {
	every kind in kinds {
		count(stdin_tty.deny) == 0 with input as workload(kind, {"ephemeralContainers": [app({"stdin": true, "tty": true})]})
	}
}

test_exempt_images if {
	spec := {"initContainers": [app({"stdin": true})]}
	count(stdin_tty.deny) == 1 with input as workload("Pod", spec) with data.kpc.params as {"container-no-stdin-tty": {"exempt_images": ["docker.io/*"]}}
	count(stdin_tty.deny) == 0 with input as workload("Pod", spec) with data.kpc.params as {"container-no-stdin-tty": {"exempt_images": ["registry.internal.example/*"]}}
}

test_ignores_other_kinds if {
	count(stdin_tty.deny) == 0 with input as {"kind": "ConfigMap", "spec": {"containers": [app({"tty": true})]}}
}
