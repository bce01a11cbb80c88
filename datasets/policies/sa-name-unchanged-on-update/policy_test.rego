package kpc.policies.sa_name_unchanged_on_update_test

import data.kpc.policies.sa_name_unchanged_on_update as sa_change

workload(kind, spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "w", "namespace": "shop"}, "spec": spec} if kind == "Pod"

workload(kind, spec) := {"apiVersion": "batch/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}} if kind == "CronJob"

workload(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"spec": spec}}} if {
	not kind in {"Pod", "CronJob"}
}

kinds := ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"]

update(old) := {"operation": "UPDATE", "old_object": old}

test_denies_a_changed_account_on_update_in_every_kind if {
	every kind in kinds {
		count(sa_change.deny) == 1 with input as workload(kind, {"serviceAccountName": "admin"}) with data.kpc.admission as update(workload(kind, {"serviceAccountName": "web"}))
	}
}

test_unset_and_deprecated_field_count_as_their_account if {
	# unset → "default"
	count(sa_change.deny) == 1 with input as workload("Deployment", {"serviceAccountName": "web"}) with data.kpc.admission as update(workload("Deployment", {}))
	count(sa_change.deny) == 1 with input as workload("Deployment", {}) with data.kpc.admission as update(workload("Deployment", {"serviceAccountName": "web"}))
	count(sa_change.deny) == 0 with input as workload("Deployment", {"serviceAccountName": "default"}) with data.kpc.admission as update(workload("Deployment", {}))

	# the deprecated serviceAccount field moves the account too
	count(sa_change.deny) == 1 with input as workload("Deployment", {"serviceAccount": "admin"}) with data.kpc.admission as update(workload("Deployment", {"serviceAccountName": "web"}))
	count(sa_change.deny) == 0 with input as workload("Deployment", {"serviceAccount": "web"}) with data.kpc.admission as update(workload("Deployment", {"serviceAccountName": "web"}))
}

test_message_names_resource_path_and_both_accounts if {
	some msg in sa_change.deny with input as workload("CronJob", {"serviceAccountName": "admin"}) with data.kpc.admission as update(workload("CronJob", {"serviceAccountName": "web"}))
	contains(msg, "CronJob shop/w: this update changes spec.jobTemplate.spec.template.spec.serviceAccountName from \"web\" to \"admin\"")
	contains(msg, `keep "web"`)
}

test_never_fires_without_an_update if {
	new := workload("Deployment", {"serviceAccountName": "admin"})
	old := workload("Deployment", {"serviceAccountName": "web"})
	count(sa_change.deny) == 0 with input as new
	count(sa_change.deny) == 0 with input as new with data.kpc.admission as {"operation": "CREATE", "old_object": old}
	count(sa_change.deny) == 0 with input as new with data.kpc.admission as {"operation": "UPDATE"}
	count(sa_change.deny) == 0 with input as new with data.kpc.admission as update(workload("Deployment", {"serviceAccountName": "admin"}))
	count(sa_change.deny) == 0 with input as new with data.kpc.admission as update(workload("StatefulSet", {"serviceAccountName": "web"}))
	count(sa_change.deny) == 0 with input as {"kind": "Service", "spec": {}} with data.kpc.admission as update({"kind": "Service", "spec": {}})
}
