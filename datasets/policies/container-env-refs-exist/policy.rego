# An environment variable taken from a Secret or ConfigMap that does not exist, or from a key it
# does not have, keeps the container from starting (CreateContainerConfigError) until someone
# notices: a typo, a renamed key or a missing chart dependency. Deny env[].valueFrom.secretKeyRef
# and configMapKeyRef naming a missing object or key, and envFrom[].secretRef / configMapRef
# naming a missing object, in every container list, unless the reference sets optional: true.
# Keys are those of data and stringData (Secrets) or data and binaryData (ConfigMaps). Judged only
# when the synced inventory holds objects of that kind in the workload's namespace; the message
# names objects and keys, never values.
package kpc.policies.container_env_refs_exist

import data.kpc.lib.k8s

policy := "container-env-refs-exist"

sources := {
	"secretKeyRef": {"kind": "Secret", "maps": ["data", "stringData"]},
	"configMapKeyRef": {"kind": "ConfigMap", "maps": ["data", "binaryData"]},
	"secretRef": {"kind": "Secret", "maps": []},
	"configMapRef": {"kind": "ConfigMap", "maps": []},
}

keys_of(obj, maps) := {key | some m in maps; some key, _ in k8s.as_object(object.get(obj, m, {}))}

# [field path, reference, source] for every reference of a container.
references(c) := array.concat(
	[[sprintf("env[%d].valueFrom.%s", [j, field]), ref, field] |
		some j, env in k8s.as_array(object.get(c, "env", []))
		some field in ["secretKeyRef", "configMapKeyRef"]
		ref := env.valueFrom[field]
	],
	[[sprintf("envFrom[%d].%s", [j, field]), ref, field] |
		some j, source in k8s.as_array(object.get(c, "envFrom", []))
		some field in ["secretRef", "configMapRef"]
		ref := source[field]
	],
)

deny contains msg if {
	some entry in k8s.checked_containers(policy)
	some [path, ref, field] in references(entry.container)
	is_object(ref)
	not ref.optional == true
	kind := sources[field].kind
	k8s.inventory_synced(k8s.namespace, kind)
	problem := missing(ref, kind, sources[field].maps)
	msg := sprintf(
		"%s: container %q (%s) reads %s but %s in namespace %q, so the container cannot start; fix the reference, create it, or set optional: true",
		[k8s.resource, entry.name, entry.list, path, problem, k8s.namespace],
	)
}

missing(ref, kind, _) := sprintf("%s %q does not exist", [kind, name]) if {
	name := object.get(ref, "name", "")
	not k8s.inventory_namespaced(k8s.namespace, kind)[name]
}

missing(ref, kind, maps) := sprintf("%s %q has no key %q", [kind, ref.name, ref.key]) if {
	obj := k8s.inventory_namespaced(k8s.namespace, kind)[ref.name]
	count(maps) > 0
	not ref.key in keys_of(obj, maps)
}
