# Secrets in environment variables leak more easily than mounted files: every process of the
# container inherits them, they show in /proc/<pid>/environ, crash dumps and debug output, and a
# change of the Secret needs a restart. envFrom.secretRef is worse: it imports every key of the
# Secret, including keys added later, under names nobody reviewed. CIS Kubernetes Benchmark 5.4.1
# (prefer Secrets as files over Secrets as environment variables).
# Deny envFrom[].secretRef in every container list; deny env[].valueFrom.secretKeyRef too when
# allow_secret_key_refs is false. It defaults to true: the house standard passes a secret to an
# application that only reads its environment through one named key (secretKeyRef), which
# secrets-in-env-literal requires in place of a literal value; set it to false to follow 5.4.1 to
# the letter.
package kpc.policies.secrets_env_secret_ref

import data.kpc.lib.k8s

policy := "secrets-env-secret-ref"

deny contains msg if {
	some entry in k8s.checked_containers(policy)
	some j, source in k8s.as_array(object.get(entry.container, "envFrom", []))
	name := object.get(source, ["secretRef", "name"], "")
	is_object(source.secretRef)
	msg := sprintf(
		"%s: container %q (%s) imports every key of Secret %q as environment variables (envFrom[%d].secretRef); mount the Secret as a volume and read the files (CIS 5.4.1), or take only the keys it needs",
		[k8s.resource, entry.name, entry.list, name, j],
	)
}

deny contains msg if {
	k8s.param(policy, "allow_secret_key_refs", true) == false
	some entry in k8s.checked_containers(policy)
	some j, env in k8s.as_array(object.get(entry.container, "env", []))
	ref := env.valueFrom.secretKeyRef
	is_object(ref)
	msg := sprintf(
		"%s: container %q (%s) passes key %q of Secret %q as environment variable %q (env[%d].valueFrom.secretKeyRef); mount the Secret as a volume and read the file instead (CIS 5.4.1)",
		[k8s.resource, entry.name, entry.list, object.get(ref, "key", ""), object.get(ref, "name", ""), object.get(env, "name", ""), j],
	)
}
