# A secret written as a literal env value lives in the manifest: in Git, in CI logs, in
# `kubectl get -o yaml` for everyone who can read the workload, and in the last-applied annotation.
# CIS 5.4.1: prefer secrets as files; at the very least take them from a Secret.
# Denies an env entry in any container list (containers, initContainers, ephemeralContainers) of any
# workload kind whose name matches, case-insensitively, password|passwd|secret|token|api[_-]?key|
# private[_-]?key|credential and that has a non-empty literal `value`. Entries with `valueFrom`
# (secretKeyRef and the like) pass, and so does a value made only of $(VAR) references to other env
# vars (no secret in the manifest). The message never repeats the value.
# Names that say where the secret is rather than holding it also pass: a name ending, after a "_",
# "-" or "." separator, in PATH, FILE, DIR, URL, URI, ENDPOINT, NAME or REF (or their plural), such
# as TOKEN_FILE, POSTGRES_PASSWORD_FILE, KUBERNETES_TOKEN_PATH, OIDC_TOKEN_ENDPOINT or SECRET_NAME.
# Such a value still denies when it is a URL with user info ("https://user:pass@host", "https://
# <token>@host"), which is a credential in disguise. Names ending in ID are not exempt: some are
# identifiers (API_KEY_ID) but others are credentials (Vault's SECRET_ID), and AWS_ACCESS_KEY_ID
# does not match the secret pattern in the first place. A suffix without a separator (TOKENFILE)
# or followed by more (TOKEN_FILE_CONTENTS) is not a reference name.
package kpc.policies.secrets_in_env_literal

import data.kpc.lib.k8s

secret_name_pattern := `(?i)(password|passwd|secret|token|api[_-]?key|private[_-]?key|credential)`

# Names of variables that point at a secret (a file, a directory, a URL, a Secret object) rather
# than hold it.
location_name_pattern := `(?i)[_.-](path|file|dir|url|uri|endpoint|name|ref)s?$`

deny contains msg if {
	some entry in k8s.containers
	env := object.get(entry.container, "env", [])
	is_array(env)
	some i, variable in env
	name := variable.name
	is_string(name)
	regex.match(secret_name_pattern, name)
	not names_a_location(variable)
	literal(variable)
	msg := sprintf(
		"%s: container %q (%s) sets env %q to a literal value (%s.env[%d].value); take it from a Secret with valueFrom.secretKeyRef or mount the Secret as a file",
		[k8s.resource, entry.name, entry.list, name, entry.path, i],
	)
}

literal(variable) if {
	value := variable.value
	value != null
	value != ""
	not only_references(value)
}

only_references(value) if {
	is_string(value)
	regex.match(`^(\$\([A-Za-z_][A-Za-z0-9_.-]*\))+$`, value)
}

names_a_location(variable) if {
	regex.match(location_name_pattern, variable.name)
	not url_with_user_info(variable.value)
}

url_with_user_info(value) if {
	is_string(value)
	regex.match(`^[A-Za-z][A-Za-z0-9+.-]*://[^/?#\s]*@`, value)
}
