package kpc.policies.sa_service_account_exists_test

import data.kpc.policies.sa_service_account_exists as sa_exists

workload(kind, spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "w", "namespace": "shop"}, "spec": spec} if kind == "Pod"

workload(kind, spec) := {"apiVersion": "batch/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}} if kind == "CronJob"

workload(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"spec": spec}}} if {
	not kind in {"Pod", "CronJob"}
}

kinds := ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]

account(name) := {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": "shop"}}

inventory := {"namespace": {"shop": {"ServiceAccount": {"web": account("web"), "default": account("default")}}}}

test_denies_a_missing_account_in_every_kind if {
	every kind in kinds {
		count(sa_exists.deny) == 1 with input as workload(kind, {"serviceAccountName": "web-api"}) with data.inventory as inventory
	}
	count(sa_exists.deny) == 1 with input as workload("Deployment", {"serviceAccount": "web-api"}) with data.inventory as inventory
}

test_message_names_the_field_account_and_namespace if {
	some msg in sa_exists.deny with input as workload("CronJob", {"serviceAccountName": "web-api"}) with data.inventory as inventory
	contains(msg, `CronJob shop/w: spec.jobTemplate.spec.template.spec.serviceAccountName names ServiceAccount "web-api", which does not exist in namespace "shop"`)
}

test_allows_existing_and_default_accounts if {
	every kind in kinds {
		count(sa_exists.deny) == 0 with input as workload(kind, {"serviceAccountName": "web"}) with data.inventory as inventory
		count(sa_exists.deny) == 0 with input as workload(kind, {}) with data.inventory as inventory
	}
	no_default := {"namespace": {"shop": {"ServiceAccount": {"web": account("web")}}}}
	count(sa_exists.deny) == 0 with input as workload("Pod", {"serviceAccountName": "default"}) with data.inventory as no_default
}

test_unsynced_namespaces_are_not_judged if {
	count(sa_exists.deny) == 0 with input as workload("Deployment", {"serviceAccountName": "web-api"})
	other := {"namespace": {"data": {"ServiceAccount": {"web-api": account("web-api")}}}}
	count(sa_exists.deny) == 0 with input as workload("Deployment", {"serviceAccountName": "web-api"}) with data.inventory as other
	count(sa_exists.deny) == 0 with input as {"kind": "Service", "metadata": {"namespace": "shop"}, "spec": {"serviceAccountName": "x"}} with data.inventory as inventory
}
