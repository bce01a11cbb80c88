# An apiVersion the API server no longer serves makes `kubectl apply` fail at the next upgrade (or
# already fails), and tools that still emit it hide the breakage until the worst moment.
# Denies any object whose apiVersion/kind pair has been removed from Kubernetes; the message names
# the replacement apiVersion and the release that stopped serving the old one. Where a whole group
# version is gone (apps/v1beta1, apps/v1beta2, rbac.authorization.k8s.io/v1beta1 and v1alpha1),
# every kind of it is denied. PodSecurityPolicy has no replacement: it is gone since v1.25 (use Pod
# Security Admission). Sources: the Kubernetes deprecated API migration guide, v1.16 to v1.32.
package kpc.policies.api_deprecated_versions

import data.kpc.lib.k8s

# removed[apiVersion][kind] = {"use": replacement apiVersion, "in": release that removed it}; "*": any kind.
removed := {
	"extensions/v1beta1": {
		"Deployment": {"use": "apps/v1", "in": "v1.16"},
		"DaemonSet": {"use": "apps/v1", "in": "v1.16"},
		"ReplicaSet": {"use": "apps/v1", "in": "v1.16"},
		"NetworkPolicy": {"use": "networking.k8s.io/v1", "in": "v1.16"},
		"PodSecurityPolicy": {"use": "none (PodSecurityPolicy was removed in v1.25; use Pod Security Admission)", "in": "v1.16"},
		"Ingress": {"use": "networking.k8s.io/v1", "in": "v1.22"},
	},
	"apps/v1beta1": {"*": {"use": "apps/v1", "in": "v1.16"}},
	"apps/v1beta2": {"*": {"use": "apps/v1", "in": "v1.16"}},
	"batch/v1beta1": {"CronJob": {"use": "batch/v1", "in": "v1.25"}},
	"batch/v2alpha1": {"CronJob": {"use": "batch/v1", "in": "v1.21"}},
	"policy/v1beta1": {
		"PodDisruptionBudget": {"use": "policy/v1", "in": "v1.25"},
		"PodSecurityPolicy": {"use": "none (use Pod Security Admission)", "in": "v1.25"},
	},
	"networking.k8s.io/v1beta1": {
		"Ingress": {"use": "networking.k8s.io/v1", "in": "v1.22"},
		"IngressClass": {"use": "networking.k8s.io/v1", "in": "v1.22"},
	},
	"rbac.authorization.k8s.io/v1beta1": {"*": {"use": "rbac.authorization.k8s.io/v1", "in": "v1.22"}},
	"rbac.authorization.k8s.io/v1alpha1": {"*": {"use": "rbac.authorization.k8s.io/v1", "in": "v1.22"}},
	"autoscaling/v2beta1": {"HorizontalPodAutoscaler": {"use": "autoscaling/v2", "in": "v1.25"}},
	"autoscaling/v2beta2": {"HorizontalPodAutoscaler": {"use": "autoscaling/v2", "in": "v1.26"}},
	"apiextensions.k8s.io/v1beta1": {"CustomResourceDefinition": {"use": "apiextensions.k8s.io/v1", "in": "v1.22"}},
	"admissionregistration.k8s.io/v1beta1": {
		"MutatingWebhookConfiguration": {"use": "admissionregistration.k8s.io/v1", "in": "v1.22"},
		"ValidatingWebhookConfiguration": {"use": "admissionregistration.k8s.io/v1", "in": "v1.22"},
	},
	"apiregistration.k8s.io/v1beta1": {"APIService": {"use": "apiregistration.k8s.io/v1", "in": "v1.22"}},
	"certificates.k8s.io/v1beta1": {"CertificateSigningRequest": {"use": "certificates.k8s.io/v1", "in": "v1.22"}},
	"coordination.k8s.io/v1beta1": {"Lease": {"use": "coordination.k8s.io/v1", "in": "v1.22"}},
	"scheduling.k8s.io/v1beta1": {"PriorityClass": {"use": "scheduling.k8s.io/v1", "in": "v1.22"}},
	"storage.k8s.io/v1beta1": {
		"CSIDriver": {"use": "storage.k8s.io/v1", "in": "v1.22"},
		"CSINode": {"use": "storage.k8s.io/v1", "in": "v1.22"},
		"StorageClass": {"use": "storage.k8s.io/v1", "in": "v1.22"},
		"VolumeAttachment": {"use": "storage.k8s.io/v1", "in": "v1.22"},
		"CSIStorageCapacity": {"use": "storage.k8s.io/v1", "in": "v1.27"},
	},
	"discovery.k8s.io/v1beta1": {"EndpointSlice": {"use": "discovery.k8s.io/v1", "in": "v1.25"}},
	"events.k8s.io/v1beta1": {"Event": {"use": "events.k8s.io/v1", "in": "v1.25"}},
	"node.k8s.io/v1beta1": {"RuntimeClass": {"use": "node.k8s.io/v1", "in": "v1.25"}},
	"flowcontrol.apiserver.k8s.io/v1beta1": {
		"FlowSchema": {"use": "flowcontrol.apiserver.k8s.io/v1", "in": "v1.26"},
		"PriorityLevelConfiguration": {"use": "flowcontrol.apiserver.k8s.io/v1", "in": "v1.26"},
	},
	"flowcontrol.apiserver.k8s.io/v1beta2": {
		"FlowSchema": {"use": "flowcontrol.apiserver.k8s.io/v1", "in": "v1.29"},
		"PriorityLevelConfiguration": {"use": "flowcontrol.apiserver.k8s.io/v1", "in": "v1.29"},
	},
	"flowcontrol.apiserver.k8s.io/v1beta3": {
		"FlowSchema": {"use": "flowcontrol.apiserver.k8s.io/v1", "in": "v1.32"},
		"PriorityLevelConfiguration": {"use": "flowcontrol.apiserver.k8s.io/v1", "in": "v1.32"},
	},
}

# The removal entry for the object under review: the kind's own entry, else the group version's "*".
entry := found if {
	found := removed[input.apiVersion][input.kind]
} else := removed[input.apiVersion]["*"]

target := minor(k8s.param("api-deprecated-versions", "kubernetes_version", "1.36"))

# "v1.25" → 25, "1.24.3" → 24.
minor(version) := to_number(split(trim_prefix(version, "v"), ".")[1])

deny contains msg if {
	is_string(input.apiVersion)
	is_string(input.kind)
	found := entry
	minor(found["in"]) <= target
	msg := sprintf(
		"%s: apiVersion %q of kind %s was removed in Kubernetes %s (apiVersion); use %s",
		[k8s.resource, input.apiVersion, input.kind, found["in"], found.use],
	)
}
