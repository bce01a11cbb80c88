# ConfigMaps are not encrypted at rest by default, are readable by anyone with configmaps get, and
# end up in Git, Helm values and logs: credentials belong in Secrets. Deny ConfigMaps with a
# data/binaryData key that names a credential (password, passwd, passphrase, pwd, secret, token,
# api key, private key, access key, credentials, client secret; camelCase, snake_case, kebab-case
# and dotted keys alike), unless the key ends in a word that makes it a reference or a setting
# rather than the value (…_file, …_path, …_name, …_ttl, …_length, …_url, …_id, …). Also deny any
# value, in data or base64-decoded in binaryData, containing a PEM private key block header.
package kpc.policies.configmap_no_credentials

import data.kpc.lib.k8s

credential_words := `(^|_)(password|passwd|passphrase|pwd|secret|token|api_?key|private_?key|access_?key|auth_?key|credentials?|client_secret)(_|$)`

# Key suffixes that make the key a pointer to a credential or a setting about it.
reference_suffixes := `_(file|path|dir|mount|name|ref|key_ref|id|ttl|lifetime|expiry|expiration|timeout|length|min_length|max_length|policy|header|url|uri|endpoint|enabled|type|format|rotation|rotation_days|env|var)$`

pem_private_key := `-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----`

# "dbPassword", "DB-PASSWORD", "db.password" all become "db_password".
normalize(key) := lower(trim(regex.replace(regex.replace(key, `([a-z0-9])([A-Z])`, "${1}_${2}"), `[^A-Za-z0-9]+`, "_"), "_"))

credential_key(key) if {
	norm := normalize(key)
	regex.match(credential_words, norm)
	not regex.match(reference_suffixes, norm)
}

deny contains msg if {
	input.kind == "ConfigMap"
	some field in ["data", "binaryData"]
	some key, _ in object.get(input, field, {})
	credential_key(key)
	msg := sprintf(
		"%s: key %s[%q] looks like a credential; keep credentials in a Secret and reference it (secretKeyRef or a mounted file)",
		[k8s.resource, field, key],
	)
}

deny contains msg if {
	input.kind == "ConfigMap"
	some key, value in object.get(input, "data", {})
	regex.match(pem_private_key, value)
	msg := sprintf(
		"%s: value of data[%q] contains a PEM private key block; store private keys in a Secret of type kubernetes.io/tls or Opaque",
		[k8s.resource, key],
	)
}

deny contains msg if {
	input.kind == "ConfigMap"
	some key, value in object.get(input, "binaryData", {})
	regex.match(pem_private_key, base64.decode(value))
	msg := sprintf(
		"%s: value of binaryData[%q] decodes to a PEM private key block; store private keys in a Secret of type kubernetes.io/tls or Opaque",
		[k8s.resource, key],
	)
}
