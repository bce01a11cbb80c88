package kpc.policies.sa_dedicated_service_account_test

import data.kpc.policies.sa_dedicated_service_account as dedicated

app := {"name": "app", "image": "x:1"}

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

test_denies_missing_service_account_in_every_kind if {
	spec := {"containers": [app]}
	count(dedicated.deny) == 1 with input as pod(spec)
	every kind in ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"] {
		count(dedicated.deny) == 1 with input as templated(kind, spec)
	}
	count(dedicated.deny) == 1 with input as cronjob(spec)
}

test_denies_default_or_empty if {
	count(dedicated.deny) == 1 with input as pod({"serviceAccountName": "default", "containers": [app]})
	count(dedicated.deny) == 1 with input as pod({"serviceAccountName": "", "containers": [app]})
	count(dedicated.deny) == 1 with input as pod({"serviceAccountName": null, "containers": [app]})
	count(dedicated.deny) == 1 with input as pod({"serviceAccount": "default", "containers": [app]})
}

test_messages_name_resource_and_field if {
	some msg in dedicated.deny with input as cronjob({"containers": [app]})
	contains(msg, "CronJob shop/c")
	contains(msg, "spec.jobTemplate.spec.template.spec.serviceAccountName is not set")
	some msg2 in dedicated.deny with input as templated("Deployment", {"serviceAccountName": "default"})
	contains(msg2, "Deployment shop/w")
	contains(msg2, `spec.template.spec.serviceAccountName is "default"`)
}

test_allows_dedicated_service_account if {
	count(dedicated.deny) == 0 with input as pod({"serviceAccountName": "web", "containers": [app]})
	count(dedicated.deny) == 0 with input as templated("DaemonSet", {"serviceAccountName": "node-agent"})
	count(dedicated.deny) == 0 with input as cronjob({"serviceAccountName": "report"})
}

test_honours_deprecated_alias if {
	count(dedicated.deny) == 0 with input as pod({"serviceAccount": "web", "containers": [app]})
	count(dedicated.deny) == 1 with input as pod({"serviceAccountName": "default", "serviceAccount": "web"})
}

test_ignores_objects_without_pods if {
	count(dedicated.deny) == 0 with input as {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": "shop"}}
	count(dedicated.deny) == 0 with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}}
}
