# CVE-2021-25742 (and CVE-2023-5044, CVE-2025-1974 family): an NGINX Ingress snippet annotation
# pastes raw nginx configuration into the controller, whose ServiceAccount can read every Secret
# of the cluster: whoever may create an Ingress can read them all (e.g. with a `content_by_lua`
# or `alias` directive). Deny an Ingress with an annotation under one of annotation_prefixes
# (default nginx.ingress.kubernetes.io/ and nginx.org/) whose name ends in -snippet or -snippets
# (configuration-snippet, server-snippet, auth-snippet, stream-snippet, modsecurity-snippet,
# nginx.org/server-snippets, …), unless the full key is in allowed_annotations; and a controller
# ConfigMap that turns snippet annotations back on (data.allow-snippet-annotations: "true").
package kpc.policies.ingress_nginx_snippets

import data.kpc.lib.k8s

policy := "ingress-nginx-snippets"

prefixes := k8s.param(policy, "annotation_prefixes", ["nginx.ingress.kubernetes.io/", "nginx.org/"])

allowed := k8s.param(policy, "allowed_annotations", [])

snippet_key(key) if {
	some prefix in prefixes
	startswith(key, prefix)
	name := lower(substring(key, count(prefix), -1))
	some suffix in ["-snippet", "-snippets"]
	endswith(name, suffix)
}

deny contains msg if {
	input.kind == "Ingress"
	keys := sort([key |
		some key, _ in k8s.annotations
		snippet_key(key)
		not key in allowed
	])
	count(keys) > 0
	msg := sprintf(
		"%s: metadata.annotations %v inject raw nginx configuration into the ingress controller, which can read every Secret of the cluster (CVE-2021-25742); remove the snippet annotations and use the controller's dedicated annotations instead",
		[k8s.resource, keys],
	)
}

deny contains msg if {
	input.kind == "ConfigMap"
	value := input.data["allow-snippet-annotations"]
	is_string(value)
	lower(trim_space(value)) == "true"
	msg := sprintf(
		"%s: data.allow-snippet-annotations is %q, which lets every Ingress author inject nginx configuration into the controller (CVE-2021-25742); set it to \"false\"",
		[k8s.resource, value],
	)
}
