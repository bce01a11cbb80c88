package kpc.policies.netpol_namespace_required_test

import data.kpc.policies.netpol_namespace_required

inventory := {"namespace": {
	"shop": {"NetworkPolicy": {"default-deny": {"kind": "NetworkPolicy", "metadata": {"name": "default-deny", "namespace": "shop"}, "spec": {"podSelector": {}}}}},
	"sandbox": {"PodDisruptionBudget": {"x": {}}},
	"default": {"ConfigMap": {"settings": {}}},
}}

obj(kind, ns) := {"apiVersion": "v1", "kind": kind, "metadata": {"name": "web", "namespace": ns}, "spec": {"ports": [{"port": 80}]}}

test_denies_workloads_and_services_without_network_policy if {
	every kind in ["Service", "Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"] {
		count(netpol_namespace_required.deny) == 1 with input as obj(kind, "sandbox") with data.inventory as inventory
	}
}

test_a_namespace_the_inventory_does_not_know_is_not_judged if {
	count(netpol_namespace_required.deny) == 0 with input as obj("Service", "unknown") with data.inventory as inventory

	# the object itself does not make the namespace known
	alone := {"namespace": {"solo": {"Deployment": {"web": obj("Deployment", "solo")}}}}
	count(netpol_namespace_required.deny) == 0 with input as obj("Deployment", "solo") with data.inventory as alone
	with_other := {"namespace": {"solo": {"Deployment": {"web": obj("Deployment", "solo")}, "Service": {"web": obj("Service", "solo")}}}}
	count(netpol_namespace_required.deny) == 1 with input as obj("Deployment", "solo") with data.inventory as with_other
}

test_missing_namespace_means_default if {
	some msg in netpol_namespace_required.deny with input as object.remove(obj("Service", "x"), ["metadata"]) with data.inventory as inventory
	contains(msg, "namespace \"default\"")
}

test_message_names_resource_namespace_and_field if {
	some msg in netpol_namespace_required.deny with input as obj("Service", "sandbox") with data.inventory as inventory
	contains(msg, "Service sandbox/web")
	contains(msg, "namespace \"sandbox\"")
	contains(msg, "metadata.namespace")
}

test_allows_namespaces_with_a_network_policy if {
	every kind in ["Service", "Pod", "Deployment", "CronJob"] {
		count(netpol_namespace_required.deny) == 0 with input as obj(kind, "shop") with data.inventory as inventory
	}
}

test_without_inventory_nothing_is_judged if {
	count(netpol_namespace_required.deny) == 0 with input as obj("Deployment", "shop") with data.inventory as {}
}

test_skips_external_name_services_and_other_kinds if {
	count(netpol_namespace_required.deny) == 0 with input as object.union(obj("Service", "sandbox"), {"spec": {"type": "ExternalName", "externalName": "db.example.com"}}) with data.inventory as inventory
	every kind in ["ConfigMap", "Ingress", "Role", "NetworkPolicy", "Namespace"] {
		count(netpol_namespace_required.deny) == 0 with input as obj(kind, "sandbox") with data.inventory as inventory
	}
}

test_missing_or_malformed_fields_never_crash if {
	count(netpol_namespace_required.deny) == 1 with input as {"kind": "Service", "metadata": {"namespace": "sandbox"}} with data.inventory as inventory
	count(netpol_namespace_required.deny) == 1 with input as {"kind": "Service", "metadata": {"namespace": "sandbox"}, "spec": null} with data.inventory as inventory
}
