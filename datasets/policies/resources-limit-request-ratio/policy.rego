# The scheduler packs pods by their requests, the kernel enforces their limits. When a limit is many
# times the request, a node full of such pods promises far more than it has: CPU gets throttled and,
# worse, memory runs out and the kernel OOM-kills containers that stayed within their limits.
# Denies a container (containers, initContainers) of any workload kind whose cpu limit exceeds
# `max_cpu_ratio` (default 4) times its cpu request, or whose memory limit exceeds `max_memory_ratio`
# (default 2) times its memory request. Only checked when both the request and the limit are set
# (missing values are the resources-*-requests/limits policies' concern). Quantities are parsed the
# Kubernetes way: plain numbers and decimals, exponents ("1e3"), milli ("500m"), decimal SI suffixes
# (k, M, G, T, P, E) and binary ones (Ki, Mi, Gi, Ti, Pi, Ei); YAML numbers (cpu: 1) are accepted as is.
# A value that does not parse is skipped, never guessed (k8s.quantity, shared by the resources policies). A request of 0 with a positive limit denies.
package kpc.policies.resources_limit_request_ratio

import data.kpc.lib.k8s

checks := [
	{"resource": "cpu", "param": "max_cpu_ratio", "default": 4},
	{"resource": "memory", "param": "max_memory_ratio", "default": 2},
]

deny contains msg if {
	some entry in k8s.checked_containers("resources-limit-request-ratio")
	entry.list in {"containers", "initContainers"}
	some check in checks
	raw_request := entry.container.resources.requests[check.resource]
	raw_limit := entry.container.resources.limits[check.resource]
	request := k8s.quantity(raw_request)
	limit := k8s.quantity(raw_limit)
	max_ratio := k8s.param("resources-limit-request-ratio", check.param, check.default)
	limit > max_ratio * request
	msg := sprintf(
		"%s: container %q (%s) has resources.limits.%s %v, more than %v x resources.requests.%s %v (%s.resources); raise the request or lower the limit to at most %v x the request",
		[k8s.resource, entry.name, entry.list, check.resource, raw_limit, max_ratio, check.resource, raw_request, entry.path, max_ratio],
	)
}
