package kpc.policies.ingress_nginx_snippets_test

import data.kpc.policies.ingress_nginx_snippets as snippets

ingress(annotations) := {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web", "namespace": "shop", "annotations": annotations}, "spec": {}}

test_denies_every_snippet_annotation if {
	every key in [
		"nginx.ingress.kubernetes.io/configuration-snippet",
		"nginx.ingress.kubernetes.io/server-snippet",
		"nginx.ingress.kubernetes.io/auth-snippet",
		"nginx.ingress.kubernetes.io/stream-snippet",
		"nginx.ingress.kubernetes.io/modsecurity-snippet",
		"nginx.ingress.kubernetes.io/Server-Snippet",
		"nginx.org/server-snippets",
		"nginx.org/location-snippets",
	] {
		count(snippets.deny) == 1 with input as ingress({key: "more_set_headers \"X: y\";"})
	}
}

test_one_message_listing_the_keys_sorted if {
	denials := snippets.deny with input as ingress({
		"nginx.ingress.kubernetes.io/server-snippet": "a",
		"nginx.ingress.kubernetes.io/configuration-snippet": "b",
		"nginx.ingress.kubernetes.io/rewrite-target": "/",
	})
	count(denials) == 1
	some msg in denials
	contains(msg, "Ingress shop/web: metadata.annotations [\"nginx.ingress.kubernetes.io/configuration-snippet\", \"nginx.ingress.kubernetes.io/server-snippet\"]")
	contains(msg, "CVE-2021-25742")
	not contains(msg, "rewrite-target")
}

test_allows_other_annotations_and_kinds if {
	count(snippets.deny) == 0 with input as ingress({
		"nginx.ingress.kubernetes.io/rewrite-target": "/",
		"nginx.ingress.kubernetes.io/ssl-redirect": "true",
		"example.com/server-snippet": "x",
		"nginx.ingress.kubernetes.io/snippet-docs": "x",
	})
	count(snippets.deny) == 0 with input as {"kind": "Service", "metadata": {"annotations": {"nginx.ingress.kubernetes.io/server-snippet": "x"}}}
	count(snippets.deny) == 0 with input as {"kind": "Ingress"}
}

test_prefixes_and_allowed_annotations_parameters if {
	custom := ingress({"internal.example.com/server-snippet": "x"})
	count(snippets.deny) == 0 with input as custom
	count(snippets.deny) == 1 with input as custom with data.kpc.params as {"ingress-nginx-snippets": {"annotation_prefixes": ["internal.example.com/"]}}
	reviewed := ingress({"nginx.ingress.kubernetes.io/configuration-snippet": "x"})
	count(snippets.deny) == 0 with input as reviewed with data.kpc.params as {"ingress-nginx-snippets": {"allowed_annotations": ["nginx.ingress.kubernetes.io/configuration-snippet"]}}
}

cm(value) := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ingress-nginx-controller", "namespace": "ingress-nginx"}, "data": {"allow-snippet-annotations": value}}

test_controller_configmap_enabling_snippets if {
	count(snippets.deny) == 1 with input as cm("true")
	count(snippets.deny) == 1 with input as cm(" True ")
	count(snippets.deny) == 0 with input as cm("false")
	count(snippets.deny) == 0 with input as {"kind": "ConfigMap", "data": {"allow-snippet-annotations": true}}
	some msg in snippets.deny with input as cm("true")
	contains(msg, `ConfigMap ingress-nginx/ingress-nginx-controller: data.allow-snippet-annotations is "true"`)
}
