# ConfigMaps are not encrypted at rest by default, are readable by anyone with configmaps get, and
# end up in Git, Helm values and logs: credentials belong in Secrets. Deny ConfigMaps with a
# data/binaryData key that names a credential, and any value, in data or base64-decoded in
# binaryData, containing a PEM private key block header.
# A key is read as words twice: split at "_", "-" and "." and lower-cased ("dbPassword" is one word,
# "dbpassword"), and split at capitals too ("apiSecretKey" is api, secret, key). In either reading it
# names a credential when a word ends in password, passwd, passphrase, secret, token, credential(s),
# apikey, privatekey, accesskey or authkey ("dbpassword", "db_password", "DB-PASSWORD", "apiToken"),
# when "key" follows api, private, access or auth ("api_key"), or when a word ends in pwd ("db_pwd",
# "mysqlpwd") — but not the key "PWD" (or "OLDPWD") alone, the shell's working directory — unless
# the last word of that reading makes it a reference or a setting about one (…_file, …_path,
# …_name, …_ttl, …_length, …_url, …_id, …; "passwordFile", "maxTokens" are no credentials).
# Only string built-ins, no regular expressions (each regex is compiled on every call in Wasm).
package kpc.policies.configmap_no_credentials

import data.kpc.lib.k8s

credential_endings := ["password", "passwd", "passphrase", "secret", "token", "credential", "credentials", "apikey", "privatekey", "accesskey", "authkey"]

key_prefix_words := {"api", "private", "access", "auth"}

# Last words that make the key a pointer to a credential or a setting about it.
reference_words := {
	"file", "path", "dir", "mount", "name", "ref", "id", "ttl", "lifetime", "expiry", "expiration", "timeout",
	"length", "policy", "header", "url", "uri", "endpoint", "enabled", "type", "format", "rotation", "env", "var",
}

# "db.password" → ["db", "password"], "DB-PASSWORD" → ["db", "password"], "dbPassword" → ["dbpassword"].
words(key) := [w | some w in split(separated(lower(key)), "_"); w != ""]

# "apiSecretKey" → ["api", "secret", "key"]; all-caps keys fall apart into letters here and are read
# by words(key).
camel_words(key) := [w | some w in split(strings.replace_n(capitals, separated(key)), "_"); w != ""]

separated(key) := replace(replace(key, "-", "_"), ".", "_")

capitals := {"A": "_a", "B": "_b", "C": "_c", "D": "_d", "E": "_e", "F": "_f", "G": "_g", "H": "_h", "I": "_i", "J": "_j", "K": "_k", "L": "_l", "M": "_m", "N": "_n", "O": "_o", "P": "_p", "Q": "_q", "R": "_r", "S": "_s", "T": "_t", "U": "_u", "V": "_v", "W": "_w", "X": "_x", "Y": "_y", "Z": "_z"}

credential_word(_, _, word) if {
	some ending in credential_endings
	endswith(word, ending)
}

credential_word(ws, i, "key") if {
	i > 0
	key_prefix_words[ws[i - 1]]
}

credential_word(ws, _, "pwd") if count(ws) > 1

credential_word(_, _, word) if {
	endswith(word, "pwd")
	not word in {"pwd", "oldpwd"}
}

reference_key(ws) if reference_words[ws[count(ws) - 1]]

reference_key(ws) if {
	count(ws) >= 2
	[ws[count(ws) - 2], ws[count(ws) - 1]] == ["rotation", "days"]
}

credential_key(key) if {
	some ws in [words(key), camel_words(key)]
	some i, word in ws
	credential_word(ws, i, word)
	not reference_key(ws)
}

# "-----BEGIN <words>PRIVATE KEY-----" (or "… PRIVATE KEY BLOCK-----"), the words in capitals,
# digits and spaces: RSA, EC, ENCRYPTED, OPENSSH, PGP, ….
pem_private_key(value) if {
	is_string(value)
	some i, part in split(value, "-----BEGIN ")
	i > 0
	some ending in ["PRIVATE KEY-----", "PRIVATE KEY BLOCK-----"]
	j := indexof(part, ending)
	j >= 0
	trim(substring(part, 0, j), "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ") == ""
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
	pem_private_key(value)
	msg := sprintf(
		"%s: value of data[%q] contains a PEM private key block; store private keys in a Secret of type kubernetes.io/tls or Opaque",
		[k8s.resource, key],
	)
}

deny contains msg if {
	input.kind == "ConfigMap"
	some key, value in object.get(input, "binaryData", {})
	pem_private_key(base64.decode(value))
	msg := sprintf(
		"%s: value of binaryData[%q] decodes to a PEM private key block; store private keys in a Secret of type kubernetes.io/tls or Opaque",
		[k8s.resource, key],
	)
}
