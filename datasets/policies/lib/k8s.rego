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

# ---------------------------------------------------------------------------------------------
# Cross-object helpers (label selectors, the synced inventory, other objects' pod templates).

# Whether a LabelSelector ({matchLabels, matchExpressions}) selects these labels: every
# matchLabels pair is among the labels and every matchExpressions entry (In, NotIn, Exists,
# DoesNotExist) holds. An empty selector ({}) selects everything; null or a non-object selects
# nothing (the policy/v1 and apps/v1 semantics).
selector_matches(selector, labels) if {
	is_object(selector)
	every key, value in as_object(object.get(selector, "matchLabels", {})) {
		labels[key] == value
	}
	every expression in as_array(object.get(selector, "matchExpressions", [])) {
		expression_holds(expression, labels)
	}
}

expression_holds(expression, labels) if {
	expression.operator == "In"
	label_in(expression, labels)
}

expression_holds(expression, labels) if {
	expression.operator == "NotIn"
	not label_in(expression, labels)
}

label_in(expression, labels) if labels[expression.key] in as_array(object.get(expression, "values", []))

expression_holds(expression, labels) if {
	expression.operator == "Exists"
	_ = labels[expression.key]
}

expression_holds(expression, labels) if {
	expression.operator == "DoesNotExist"
	not has_key(labels, expression.key)
}

# Whether a plain equality selector (a Service's spec.selector: {key: value}) selects these
# labels; an empty or missing selector selects nothing here (a Service without a selector has
# its endpoints managed by hand).
map_selects(selector, labels) if {
	is_object(selector)
	count(selector) > 0
	every key, value in selector {
		labels[key] == value
	}
}

as_object(x) := x if {
	is_object(x)
} else := {}

as_array(x) := x if {
	is_array(x)
} else := []

# Whether the inventory holds objects of this kind in this namespace, i.e. the kind is synced
# there: cross-object rules judge a reference to a missing object only then, so static analysis
# without an inventory (or one without that kind) reports nothing rather than guessing.
inventory_synced(ns, kind) if count(inventory_namespaced(ns, kind)) > 0

# The pod template labels of any object that runs pods (a Pod's own labels), else undefined.
object_pod_labels(obj) := as_object(object.get(obj, ["metadata", "labels"], {})) if obj.kind == "Pod"

object_pod_labels(obj) := as_object(object.get(obj, ["spec", "template", "metadata", "labels"], {})) if template_kinds[obj.kind]

object_pod_labels(obj) := as_object(object.get(obj, ["spec", "jobTemplate", "spec", "template", "metadata", "labels"], {})) if {
	obj.kind == "CronJob"
}

# The objects of the inventory that run pods in namespace ns: [{kind, name, labels, replicas}],
# replicas being spec.replicas (1 when unset) for Deployments, StatefulSets, ReplicaSets and
# ReplicationControllers, 1 for a Pod, null for the rest (DaemonSets, Jobs, CronJobs).
inventory_pod_owners(ns) := [owner |
	some kind in workload_kinds
	some name, obj in inventory_namespaced(ns, kind)
	owner := {"kind": kind, "name": name, "labels": object_pod_labels(obj), "replicas": replica_count(obj)}
]

replica_count(obj) := object.get(obj, ["spec", "replicas"], 1) if obj.kind in {"Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"}

replica_count(obj) := 1 if obj.kind == "Pod"

replica_count(obj) := null if obj.kind in {"DaemonSet", "Job", "CronJob"}

# ---------------------------------------------------------------------------------------------
# RBAC rule matching, as the API server's authorizer does it: apiGroups ("" is core, "*" every
# group; a rule without apiGroups counts as core), resources ("*" every resource and subresource,
# "<resource>/<subresource>", "*/<subresource>" that subresource of every resource) and verbs
# ("*" every verb).

rule_in_group(rule, group) if {
	some g in as_array(object.get(rule, "apiGroups", [""]))
	g in {group, "*"}
}

# The entries of rule.resources that match resource (e.g. "pods", "services/status"), sorted.
rule_resources_matching(rule, resource) := sorted if {
	sorted := sort([r |
		some r in as_array(object.get(rule, "resources", []))
		resource_entry_matches(r, resource)
	])
	count(sorted) > 0
}

resource_entry_matches(entry, resource) if entry in {"*", resource}

resource_entry_matches(entry, resource) if {
	parts := split(resource, "/")
	count(parts) == 2
	entry == concat("/", ["*", parts[1]])
}

# The entries of rule.verbs among wanted, "*" included, sorted; undefined when there are none.
rule_verbs_matching(rule, wanted) := sorted if {
	sorted := sort([v |
		some v in as_array(object.get(rule, "verbs", []))
		v in (wanted | {"*"})
	])
	count(sorted) > 0
}

# Whether the object's name matches one of these glob patterns ("*" any run of characters), e.g.
# the exempt_roles parameter of the RBAC policies.
name_matches_any(patterns) if {
	some pattern in patterns
	glob.match(pattern, null, name)
}

# Every object of this kind in every namespace of the inventory: [{namespace, name, object}].
inventory_all_namespaces(kind) := [{"namespace": ns, "name": name, "object": obj} |
	some ns, kinds in inventory_namespaces
	some name, obj in as_object(object.get(kinds, kind, {}))
]

inventory_namespaces := namespaces if {
	namespaces := data.inventory.namespace
	is_object(namespaces)
} else := {}

# The pod spec of any object (not only input), else undefined.
object_pod_spec(obj) := obj.spec if obj.kind == "Pod"

object_pod_spec(obj) := obj.spec.template.spec if template_kinds[obj.kind]

object_pod_spec(obj) := obj.spec.jobTemplate.spec.template.spec if obj.kind == "CronJob"

# The ServiceAccount a pod spec runs as: serviceAccountName, else the deprecated serviceAccount,
# else "default" (as the API server defaults it).
service_account_of(spec) := name if {
	name := spec.serviceAccountName
	is_string(name)
	name != ""
} else := name if {
	name := spec.serviceAccount
	is_string(name)
	name != ""
} else := "default"
