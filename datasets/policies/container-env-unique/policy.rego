# When a container lists the same environment variable twice, the last entry silently wins:
# usually a value added in an overlay or a chart's extraEnv that overrides (or is overridden by)
# the base, so the running value is not the reviewed one. Server-side apply also rejects the
# duplicate key. Deny an env[] name that occurs more than once in one container, in every
# container list.
package kpc.policies.container_env_unique

import data.kpc.lib.k8s

deny contains msg if {
	some entry in k8s.checked_containers("container-env-unique")
	env := k8s.as_array(object.get(entry.container, "env", []))
	names := [name | some e in env; name := e.name; is_string(name)]
	some name in {n | some n in names}
	indexes := [sprintf("env[%d]", [i]) | some i, e in env; e.name == name]
	count(indexes) > 1
	msg := sprintf(
		"%s: container %q (%s) sets environment variable %q %d times (%s); the last one wins silently: keep one entry",
		[k8s.resource, entry.name, entry.list, name, count(indexes), concat(", ", indexes)],
	)
}
