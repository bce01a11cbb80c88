package kpc.policies.sa_token_automount_test

import data.kpc.policies.sa_token_automount

app := {"name": "app", "image": "x:1"}

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

sa(name, extra) := object.union({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": "shop"}}, extra)

test_denies_unset_automount_in_every_kind if {
	spec := {"containers": [app]}
	count(sa_token_automount.deny) == 1 with input as pod(spec)
	every kind in ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"] {
		count(sa_token_automount.deny) == 1 with input as templated(kind, spec)
	}
	count(sa_token_automount.deny) == 1 with input as cronjob(spec)
}

test_denies_true_or_non_boolean if {
	count(sa_token_automount.deny) == 1 with input as sa_pod({"automountServiceAccountToken": true, "containers": [app]})
	count(sa_token_automount.deny) == 1 with input as sa_pod({"automountServiceAccountToken": "false", "containers": [app]})
	count(sa_token_automount.deny) == 1 with input as sa_pod({"automountServiceAccountToken": null, "containers": [app]})
}

test_message_names_resource_field_and_value if {
	some msg in sa_token_automount.deny with input as cronjob({"containers": [app]})
	contains(msg, "CronJob shop/c")
	contains(msg, "spec.jobTemplate.spec.template.spec.automountServiceAccountToken is not set (defaults to true)")
	some msg2 in sa_token_automount.deny with input as templated("Deployment", {"automountServiceAccountToken": true, "containers": [app]})
	contains(msg2, "spec.template.spec.automountServiceAccountToken is true")
}

test_allows_false if {
	count(sa_token_automount.deny) == 0 with input as sa_pod({"automountServiceAccountToken": false, "containers": [app]})
	count(sa_token_automount.deny) == 0 with input as templated("StatefulSet", {"automountServiceAccountToken": false})
	count(sa_token_automount.deny) == 0 with input as cronjob({"automountServiceAccountToken": false, "containers": [app]})
}

test_default_service_account_must_disable_automount if {
	count(sa_token_automount.deny) == 1 with input as sa("default", {})
	count(sa_token_automount.deny) == 1 with input as sa("default", {"automountServiceAccountToken": true})
	some msg in sa_token_automount.deny with input as sa("default", {})
	contains(msg, "ServiceAccount shop/default")
	contains(msg, "automountServiceAccountToken not set (defaults to true)")
	count(sa_token_automount.deny) == 0 with input as sa("default", {"automountServiceAccountToken": false})
}

test_other_service_accounts_are_not_checked if {
	count(sa_token_automount.deny) == 0 with input as sa("web", {})
	count(sa_token_automount.deny) == 0 with input as sa("web", {"automountServiceAccountToken": true})
}

test_ignores_other_objects if {
	count(sa_token_automount.deny) == 0 with input as {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "default", "namespace": "shop"}}
	count(sa_token_automount.deny) == 0 with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}}
}

sa_pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

# regression (issue 15): the ServiceAccount's own setting applies when the pod leaves it unset
test_service_account_setting_from_the_inventory if {
	inventory := {"namespace": {"shop": {"ServiceAccount": {
		"web": {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "web", "namespace": "shop"}, "automountServiceAccountToken": false},
		"api": {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "api", "namespace": "shop"}},
	}}}}
	count(data.kpc.policies.sa_token_automount.deny) == 0 with input as sa_pod({"serviceAccountName": "web", "containers": []}) with data.inventory as inventory
	count(data.kpc.policies.sa_token_automount.deny) == 0 with input as sa_pod({"serviceAccount": "web", "containers": []}) with data.inventory as inventory

	# the pod's own true wins over the account's false
	count(data.kpc.policies.sa_token_automount.deny) == 1 with input as sa_pod({"serviceAccountName": "web", "automountServiceAccountToken": true}) with data.inventory as inventory

	# an account that does not disable it, an unknown account, another namespace
	count(data.kpc.policies.sa_token_automount.deny) == 1 with input as sa_pod({"serviceAccountName": "api"}) with data.inventory as inventory
	count(data.kpc.policies.sa_token_automount.deny) == 1 with input as sa_pod({"serviceAccountName": "nope"}) with data.inventory as inventory
	count(data.kpc.policies.sa_token_automount.deny) == 1 with input as json.patch(sa_pod({"serviceAccountName": "web"}), [{"op": "replace", "path": "/metadata/namespace", "value": "data"}]) with data.inventory as inventory
}
