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

# Words that make a variable name secret-looking, anywhere in the name, case-insensitively.
secret_words := [
	"password", "passwd", "secret", "token", "apikey", "api_key", "api-key",
	"privatekey", "private_key", "private-key", "credential",
]

# Names of variables that point at a secret (a file, a directory, a URL, a Secret object) rather
# than hold it: a separator, one of these words, an optional plural "s", at the end.
location_words := ["path", "file", "dir", "url", "uri", "endpoint", "name", "ref"]

deny contains msg if {
	some entry in k8s.checked_containers("secrets-in-env-literal")
	env := object.get(entry.container, "env", [])
	is_array(env)
	some i, variable in env
	name := variable.name
	is_string(name)
	secret_name(name)
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

secret_name(name) if {
	some word in secret_words
	contains(lower(name), word)
}

letters := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

digits := "0123456789"

# "$(A)", "$(A)$(B_2)": nothing but references to other variables ([A-Za-z_][A-Za-z0-9_.-]* each).
only_references(value) if {
	is_string(value)
	startswith(value, "$(")
	endswith(value, ")")
	every name in split(substring(value, 2, count(value) - 3), ")$(") {
		name != ""
		trim(substring(name, 0, 1), concat("", [letters, "_"])) == ""
		trim(name, concat("", [letters, digits, "_.-"])) == ""
	}
}

names_a_location(variable) if {
	lowered := lower(variable.name)
	some separator in ["_", ".", "-"]
	some word in location_words
	some plural in ["", "s"]
	endswith(lowered, concat("", [separator, word, plural]))
	not url_with_user_info(variable.value)
}

# "scheme://user:pass@host…": a scheme ([A-Za-z][A-Za-z0-9+.-]*), "://", then an "@" before any
# "/", "?", "#" or white space.
url_with_user_info(value) if {
	is_string(value)
	i := indexof(value, "://")
	i > 0
	scheme := substring(value, 0, i)
	trim(substring(scheme, 0, 1), letters) == ""
	trim(scheme, concat("", [letters, digits, "+.-"])) == ""
	rest := substring(value, i + 3, -1)
	at := indexof(rest, "@")
	at >= 0
	authority := substring(rest, 0, at)
	not stops_authority(authority)
}

stops_authority(text) if {
	some c in ["/", "?", "#", " ", "\t", "\n", "\r", "\f"]
	contains(text, c)
}
