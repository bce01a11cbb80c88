# Two Ingresses of the same class claiming the same host and path: the controller picks one of
# them (by age or name, depending on the controller), so a new Ingress can silently take over
# another team's traffic, across namespaces. Deny an Ingress whose rules share a host/path pair
# with a different Ingress (another name or namespace) of the same class in the synced inventory,
# anywhere in the cluster. Hosts compare case-insensitively (DNS), a rule without a host is the
# catch-all "" host, a missing path is "/", and a trailing "/" is ignored ("/api/" is "/api").
# The class is spec.ingressClassName, else the kubernetes.io/ingress.class annotation, else the
# default class.
package kpc.policies.ingress_unique_host_path

import data.kpc.lib.k8s

class_of(ingress) := ingress.spec.ingressClassName if {
	is_string(ingress.spec.ingressClassName)
} else := class if {
	class := ingress.metadata.annotations["kubernetes.io/ingress.class"]
	is_string(class)
} else := ""

normal_path(path) := "/" if path in {"", "/", null}

else := trim_suffix(path, "/") if is_string(path)

# {host, path} pairs an Ingress claims.
pairs(ingress) := {{"host": lower(host), "path": normal_path(object.get(p, "path", "/"))} |
	some rule in k8s.as_array(object.get(ingress, ["spec", "rules"], []))
	host := object.get(rule, "host", "")
	is_string(host)
	some p in k8s.as_array(object.get(rule, ["http", "paths"], []))
}

deny contains msg if {
	input.kind == "Ingress"
	mine := pairs(input)
	count(mine) > 0
	class := class_of(input)
	some other in k8s.inventory_all_namespaces("Ingress")
	not same_object(other)
	class_of(other.object) == class
	shared := mine & pairs(other.object)
	count(shared) > 0
	described := sort([sprintf("%s%s", [host_or_any(pair.host), pair.path]) | some pair in shared])
	msg := sprintf(
		"%s: host/path %v already served by Ingress %s/%s (class %q); two Ingresses claiming the same host and path race for it: use another path or host, or merge them",
		[k8s.resource, described, other.namespace, other.name, class],
	)
}

same_object(other) if {
	other.namespace == k8s.namespace
	other.name == k8s.name
}

host_or_any(host) := host if host != ""

else := "<any host>"
