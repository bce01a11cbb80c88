# The `default` namespace is where everything lands that nobody placed: it has no NetworkPolicy, no
# quota and no owner, and RBAC granted there reaches every stray object. CIS 5.7.4: the default
# namespace should not be used.
# Denies a namespaced object of any kind (workloads, Service, ConfigMap, Secret, Ingress, Role,
# RoleBinding, PodDisruptionBudget, ...) whose metadata.namespace is "default", or is missing or
# empty (kubectl then applies it to the current context's namespace, "default" unless set). Kinds
# known to be cluster-scoped (Namespace, ClusterRole, ClusterRoleBinding, PersistentVolume,
# StorageClass, CRDs, webhooks, PriorityClass, IngressClass, RuntimeClass, ...) are skipped.
package kpc.policies.namespace_not_default

import data.kpc.lib.k8s

cluster_scoped := k8s.cluster_scoped | {
	"APIService",
	"CertificateSigningRequest",
	"ClusterIssuer",
	"ComponentStatus",
	"CSIDriver",
	"CSINode",
	"FlowSchema",
	"IngressClass",
	"PriorityClass",
	"PriorityLevelConfiguration",
	"RuntimeClass",
	"SelfSubjectAccessReview",
	"SelfSubjectReview",
	"SelfSubjectRulesReview",
	"SubjectAccessReview",
	"TokenReview",
	"ValidatingAdmissionPolicy",
	"ValidatingAdmissionPolicyBinding",
	"MutatingAdmissionPolicy",
	"MutatingAdmissionPolicyBinding",
	"VolumeAttachment",
}

namespace_of := ns if {
	ns := input.metadata.namespace
	is_string(ns)
	ns != ""
}

deny contains msg if {
	is_string(input.kind)
	not cluster_scoped[input.kind]
	namespace_of == "default"
	msg := sprintf(
		"%s: metadata.namespace is \"default\"; deploy it to the team's namespace (one with a NetworkPolicy, quota and owner)",
		[k8s.resource],
	)
}

deny contains msg if {
	is_string(input.kind)
	not cluster_scoped[input.kind]
	not namespace_of
	msg := sprintf(
		"%s: metadata.namespace is not set, so it lands in the current context's namespace (\"default\" unless set); name the team's namespace explicitly",
		[k8s.resource],
	)
}
