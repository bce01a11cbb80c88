# Shared helpers for every corpus policy: where a kind keeps its pod spec, every container list,
# names for messages, parameters and the synced inventory of other objects.
package kpc.lib.k8s

# Kinds whose pod template lives at spec.template.spec.
template_kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "ReplicationController"}

workload_kinds := template_kinds | {"Pod", "CronJob"}

# The pod spec of the object under review, whatever its kind.
pod_spec := input.spec if input.kind == "Pod"

pod_spec := input.spec.template.spec if template_kinds[input.kind]

pod_spec := input.spec.jobTemplate.spec.template.spec if input.kind == "CronJob"

# Dotted path of the pod spec, for messages.
pod_spec_path := "spec" if input.kind == "Pod"

pod_spec_path := "spec.template.spec" if template_kinds[input.kind]

pod_spec_path := "spec.jobTemplate.spec.template.spec" if input.kind == "CronJob"

# Pod metadata (annotations of the pod template live here).
pod_metadata := object.get(input, "metadata", {}) if input.kind == "Pod"

pod_metadata := object.get(input.spec.template, "metadata", {}) if template_kinds[input.kind]

pod_metadata := object.get(input.spec.jobTemplate.spec.template, "metadata", {}) if input.kind == "CronJob"

container_lists := ["containers", "initContainers", "ephemeralContainers"]

# Every container of every list: {"list": ..., "index": ..., "container": ..., "path": ...}.
containers contains entry if {
	some list in container_lists
	some i, c in object.get(pod_spec, list, [])
	entry := {
		"list": list,
		"index": i,
		"container": c,
		"name": object.get(c, "name", sprintf("#%d", [i])),
		"path": sprintf("%s.%s[%d]", [pod_spec_path, list, i]),
	}
}

# Long-running containers (not init or ephemeral), of kinds that run continuously.
long_running_containers contains entry if {
	not batch_kinds[input.kind]
	some entry in containers
	entry.list == "containers"
}

batch_kinds := {"Job", "CronJob"}

name := object.get(object.get(input, "metadata", {}), "name", "<unnamed>")

namespace := object.get(object.get(input, "metadata", {}), "namespace", "default")

labels := object.get(object.get(input, "metadata", {}), "labels", {})

annotations := object.get(object.get(input, "metadata", {}), "annotations", {})

# "Deployment shop/web": how messages name the resource under review.
resource := sprintf("%s %s/%s", [input.kind, namespace, name]) if not cluster_scoped[input.kind]

resource := sprintf("%s %s", [input.kind, name]) if cluster_scoped[input.kind]

cluster_scoped := {"Namespace", "ClusterRole", "ClusterRoleBinding", "Node", "PersistentVolume", "StorageClass", "CustomResourceDefinition", "PodSecurityPolicy", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration"}

# A policy parameter: data.kpc.params.<policy>.<key>, or the default.
param(policy, key, default_value) := value if {
	value := data.kpc.params[policy][key]
} else := default_value

# The value of a container's securityContext field, falling back to the pod's securityContext.
effective_security(c, field) := c.securityContext[field]

effective_security(c, field) := pod_spec.securityContext[field] if {
	not has_key(object.get(c, "securityContext", {}), field)
}

has_key(obj, key) if {
	_ = obj[key]
}

# Objects synced from the cluster (Gatekeeper-style): namespaced and cluster-scoped.
# Keyed by object name: data.inventory.namespace[ns][kind][name], data.inventory.cluster[kind][name].
inventory_namespaced(ns, kind) := objects if {
	objects := data.inventory.namespace[ns][kind]
} else := {}

inventory_cluster(kind) := objects if {
	objects := data.inventory.cluster[kind]
} else := {}
