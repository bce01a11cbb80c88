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

# Image exemptions (parameter exempt_images of every container policy): glob patterns where "*"
# matches any run of characters, "/" and ":" included, and "?" one character, e.g.
# "registry.internal.example/platform/*" or "*/istio/proxyv2:*".
image_exempt(policy, image) if {
	is_string(image)
	some pattern in param(policy, "exempt_images", [])
	glob.match(pattern, null, image)
}

# The containers a policy checks: every container (all lists) but those whose image it exempts.
checked_containers(policy) := {entry |
	some entry in containers
	not image_exempt(policy, object.get(entry.container, "image", ""))
}

# The long-running containers a policy checks (see long_running_containers and image_exempt).
checked_long_running_containers(policy) := {entry |
	some entry in long_running_containers
	not image_exempt(policy, object.get(entry.container, "image", ""))
}

# An image pinned by content: "<name>[:<tag>]@sha256:<64 lowercase hex digits>" (the OCI encoding).
# The one definition shared by image-digest-pinned and image-no-latest-tag.
pinned_by_digest(image) if {
	is_string(image)
	parts := split(image, "@")
	count(parts) == 2
	parts[0] != ""
	startswith(parts[1], "sha256:")
	hex := substring(parts[1], 7, -1)
	count(hex) == 64
	trim(hex, "0123456789abcdef") == ""
}

# A Kubernetes quantity as a number: 2 → 2, "500m" → 0.5, "1.5Gi" → 1610612736, "1e3" → 1000.
# Plain numbers and decimals, exponents, milli, decimal SI suffixes (k, M, G, T, P, E) and binary
# ones (Ki … Ei). Undefined when the value does not parse: never guessed.
quantity(q) := q if is_number(q)

quantity(q) := units.parse(q) if {
	is_string(q)
	valid_quantity(q)
}

quantity_suffixes := ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "m", "k", "M", "G", "T", "P", "E", ""]

valid_quantity(q) if {
	some suffix in quantity_suffixes
	endswith(q, suffix)
	decimal_string(trim_suffix(q, suffix))
}

valid_quantity(q) if {
	some e in ["e", "E"]
	parts := split(q, e)
	count(parts) == 2
	decimal_string(parts[0])
	exponent_string(parts[1])
}

# "1", "1.", "1.5", ".5" (digits with at most one ".", and at least one digit).
decimal_string(s) if {
	not s in {"", "."}
	trim(s, "0123456789.") == ""
	count(split(s, ".")) <= 2
}

exponent_string(s) if digit_string(s)

exponent_string(s) if {
	some sign in ["+", "-"]
	startswith(s, sign)
	digit_string(substring(s, 1, -1))
}

digit_string(s) if {
	s != ""
	trim(s, "0123456789") == ""
}

# A quantity parameter (a maximum such as "2" cpu or "4Gi" memory) and whether a value exceeds it;
# a null or absent maximum means no maximum.
exceeds_maximum(value, maximum) if {
	maximum != null
	quantity(value) > quantity(maximum)
}

# Whether a number lies outside a range parameter {"min": m, "max": n} (either bound may be absent);
# a null range allows everything.
outside_range(value, range) if {
	is_number(value)
	range != null
	value < object.get(range, "min", value)
}

outside_range(value, range) if {
	is_number(value)
	range != null
	value > object.get(range, "max", value)
}

# "10000-20000", "10000-", "-20000" for messages.
describe_range(range) := sprintf("%v-%v", [object.get(range, "min", ""), object.get(range, "max", "")])
