package kpc.policies.api_deprecated_versions_test

import data.kpc.policies.api_deprecated_versions as deprecated

obj(api, kind) := {"apiVersion": api, "kind": kind, "metadata": {"name": "x", "namespace": "shop"}, "spec": {}}

test_denies_removed_pairs if {
	every pair in [
		["extensions/v1beta1", "Deployment"],
		["extensions/v1beta1", "DaemonSet"],
		["extensions/v1beta1", "ReplicaSet"],
		["extensions/v1beta1", "Ingress"],
		["extensions/v1beta1", "NetworkPolicy"],
		["extensions/v1beta1", "PodSecurityPolicy"],
		["apps/v1beta1", "Deployment"],
		["apps/v1beta1", "StatefulSet"],
		["apps/v1beta2", "DaemonSet"],
		["apps/v1beta2", "ReplicaSet"],
		["batch/v1beta1", "CronJob"],
		["batch/v2alpha1", "CronJob"],
		["policy/v1beta1", "PodDisruptionBudget"],
		["policy/v1beta1", "PodSecurityPolicy"],
		["networking.k8s.io/v1beta1", "Ingress"],
		["networking.k8s.io/v1beta1", "IngressClass"],
		["rbac.authorization.k8s.io/v1beta1", "Role"],
		["rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding"],
		["rbac.authorization.k8s.io/v1alpha1", "RoleBinding"],
		["autoscaling/v2beta1", "HorizontalPodAutoscaler"],
		["autoscaling/v2beta2", "HorizontalPodAutoscaler"],
		["apiextensions.k8s.io/v1beta1", "CustomResourceDefinition"],
		["admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration"],
		["scheduling.k8s.io/v1beta1", "PriorityClass"],
		["storage.k8s.io/v1beta1", "CSIStorageCapacity"],
		["discovery.k8s.io/v1beta1", "EndpointSlice"],
		["flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema"],
	] {
		count(deprecated.deny) == 1 with input as obj(pair[0], pair[1])
	}
}

test_message_names_resource_replacement_and_release if {
	some msg in deprecated.deny with input as obj("batch/v1beta1", "CronJob")
	contains(msg, "CronJob shop/x")
	contains(msg, `apiVersion "batch/v1beta1"`)
	contains(msg, "removed in Kubernetes v1.25")
	contains(msg, "use batch/v1")
	some msg2 in deprecated.deny with input as obj("extensions/v1beta1", "Ingress")
	contains(msg2, "v1.22")
	contains(msg2, "use networking.k8s.io/v1")
	some msg3 in deprecated.deny with input as obj("apps/v1beta2", "Deployment")
	contains(msg3, "v1.16")
	contains(msg3, "use apps/v1")
	some msg4 in deprecated.deny with input as obj("policy/v1beta1", "PodSecurityPolicy")
	contains(msg4, "Pod Security Admission")
	some msg5 in deprecated.deny with input as obj("rbac.authorization.k8s.io/v1beta1", "ClusterRole")
	contains(msg5, "ClusterRole x")
	contains(msg5, "use rbac.authorization.k8s.io/v1")
}

test_allows_current_versions if {
	every pair in [
		["apps/v1", "Deployment"],
		["batch/v1", "CronJob"],
		["batch/v1", "Job"],
		["v1", "Pod"],
		["networking.k8s.io/v1", "Ingress"],
		["policy/v1", "PodDisruptionBudget"],
		["rbac.authorization.k8s.io/v1", "Role"],
		["autoscaling/v2", "HorizontalPodAutoscaler"],
		["autoscaling/v1", "HorizontalPodAutoscaler"],
		["example.com/v1beta1", "Widget"],
	] {
		count(deprecated.deny) == 0 with input as obj(pair[0], pair[1])
	}
}

test_kind_specific_entries_do_not_spill_over if {
	# extensions/v1beta1 and batch/v1beta1 have no "*" entry
	count(deprecated.deny) == 0 with input as obj("extensions/v1beta1", "Widget")
	count(deprecated.deny) == 0 with input as obj("policy/v1beta1", "Eviction")
}

test_missing_fields_do_not_crash if {
	count(deprecated.deny) == 0 with input as {"kind": "Deployment", "metadata": {"name": "x"}}
	count(deprecated.deny) == 0 with input as {"apiVersion": "apps/v1beta1", "metadata": {"name": "x"}}
	count(deprecated.deny) == 0 with input as {"apiVersion": 1, "kind": "Deployment"}
	count(deprecated.deny) == 1 with input as {"apiVersion": "apps/v1beta1", "kind": "Deployment"}
}

test_parameter_kubernetes_version if {
	cronjob := {"apiVersion": "batch/v1beta1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}}
	count(data.kpc.policies.api_deprecated_versions.deny) == 1 with input as cronjob
	count(data.kpc.policies.api_deprecated_versions.deny) == 1 with input as cronjob with data.kpc.params as {"api-deprecated-versions": {"kubernetes_version": "1.25"}}
	count(data.kpc.policies.api_deprecated_versions.deny) == 0 with input as cronjob with data.kpc.params as {"api-deprecated-versions": {"kubernetes_version": "v1.24"}}
	count(data.kpc.policies.api_deprecated_versions.deny) == 0 with input as cronjob with data.kpc.params as {"api-deprecated-versions": {"kubernetes_version": "1.24.7"}}
}
