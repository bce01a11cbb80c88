package kpc.policies.namespace_not_default_test

import data.kpc.policies.namespace_not_default as ns_policy

obj(kind, metadata) := {"apiVersion": "v1", "kind": kind, "metadata": metadata}

test_denies_default_namespace_for_namespaced_kinds if {
	every kind in ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Service", "ConfigMap", "Secret", "Ingress", "Role", "RoleBinding", "ServiceAccount", "PodDisruptionBudget", "NetworkPolicy", "MyCustomResource"] {
		count(ns_policy.deny) == 1 with input as obj(kind, {"name": "x", "namespace": "default"})
	}
}

test_denies_missing_or_empty_namespace if {
	count(ns_policy.deny) == 1 with input as obj("Deployment", {"name": "x"})
	count(ns_policy.deny) == 1 with input as obj("ConfigMap", {"name": "x", "namespace": ""})
	count(ns_policy.deny) == 1 with input as obj("Secret", {"name": "x", "namespace": null})
	count(ns_policy.deny) == 1 with input as {"apiVersion": "v1", "kind": "Service"}
}

test_messages_name_resource_and_field if {
	some msg in ns_policy.deny with input as obj("Secret", {"name": "db", "namespace": "default"})
	contains(msg, "Secret default/db")
	contains(msg, `metadata.namespace is "default"`)
	some msg2 in ns_policy.deny with input as obj("CronJob", {"name": "report"})
	contains(msg2, "CronJob default/report")
	contains(msg2, "metadata.namespace is not set")
}

test_allows_team_namespaces if {
	every ns in ["shop", "payments", "platform", "data", "observability", "sandbox", "kube-system"] {
		count(ns_policy.deny) == 0 with input as obj("Deployment", {"name": "x", "namespace": ns})
	}
}

test_ignores_cluster_scoped_kinds if {
	every kind in ["Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume", "StorageClass", "CustomResourceDefinition", "PriorityClass", "IngressClass", "ValidatingWebhookConfiguration"] {
		count(ns_policy.deny) == 0 with input as obj(kind, {"name": "default"})
	}
	count(ns_policy.deny) == 0 with input as obj("Namespace", {"name": "default", "namespace": "default"})
}

test_ignores_objects_without_kind if {
	count(ns_policy.deny) == 0 with input as {"metadata": {"name": "x", "namespace": "default"}}
}
