package kpc.policies.configmap_no_credentials_test

import data.kpc.policies.configmap_no_credentials

cm(entries, binary) := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "shop"}, "data": entries, "binaryData": binary}

pem_key := "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n"

pem_cert := "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIE\n-----END CERTIFICATE-----\n"

test_denies_credential_keys_in_every_spelling if {
	every key in ["password", "DB_PASSWORD", "dbPassword", "db-password", "db.passwd", "smtp_pwd", "jwt_secret", "clientSecret", "AUTH_TOKEN", "github-token", "apiKey", "API_KEY", "stripe.api-key", "privateKey", "private_key", "aws_access_key", "AWS_SECRET_ACCESS_KEY", "credentials", "gcp-credentials.json", "ssh_passphrase", "SECRET_KEY"] {
		count(configmap_no_credentials.deny) == 1 with input as cm({key: "x"}, {})
	}
	count(configmap_no_credentials.deny) == 1 with input as cm({}, {"api_token": "eA=="})
	count(configmap_no_credentials.deny) == 2 with input as cm({"LOG_LEVEL": "info", "DB_PASSWORD": "x", "API_KEY": "y"}, {})
}

test_denies_pem_private_key_values if {
	count(configmap_no_credentials.deny) == 1 with input as cm({"tls.key": pem_key}, {})
	count(configmap_no_credentials.deny) == 1 with input as cm({"bundle.pem": concat("", [pem_cert, "-----BEGIN PRIVATE KEY-----\nMC4\n-----END PRIVATE KEY-----\n"])}, {})
	count(configmap_no_credentials.deny) == 1 with input as cm({"id_ed25519": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n"}, {})
	count(configmap_no_credentials.deny) == 1 with input as cm({}, {"tls.key": base64.encode(pem_key)})
	count(configmap_no_credentials.deny) == 2 with input as cm({"private.key": pem_key}, {})
}

test_message_names_resource_field_and_key if {
	some msg in configmap_no_credentials.deny with input as cm({"LOG_LEVEL": "info", "DB_PASSWORD": "hunter2"}, {})
	contains(msg, "ConfigMap shop/settings")
	contains(msg, "data[\"DB_PASSWORD\"]")
	not contains(msg, "hunter2")
	some msg2 in configmap_no_credentials.deny with input as cm({}, {"tls.key": base64.encode(pem_key)})
	contains(msg2, "binaryData[\"tls.key\"]")
	contains(msg2, "PEM private key")
	some msg3 in configmap_no_credentials.deny with input as cm({"tls.key": pem_key}, {})
	contains(msg3, "data[\"tls.key\"]")
}

test_allows_settings_references_and_certificates if {
	count(configmap_no_credentials.deny) == 0 with input as cm(
		{
			"LOG_LEVEL": "info",
			"DB_HOST": "postgres.data.svc",
			"DB_USER": "storefront",
			"DB_PASSWORD_FILE": "/var/run/secrets/db/password",
			"tls_secret_name": "storefront-tls",
			"session.token-ttl": "15m",
			"password_min_length": "12",
			"tokenUrl": "https://auth.example.com/token",
			"oauth_client_id": "storefront",
			"secretsManagerEndpoint": "https://vault.example.com",
			"tokenizer": "wordpiece",
			"ca.crt": pem_cert,
			"keyboard_layout": "us",
		},
		{"logo.png": "iVBORw0KGgo="},
	)
}

test_missing_or_malformed_fields_never_crash if {
	count(configmap_no_credentials.deny) == 0 with input as {"kind": "ConfigMap"}
	count(configmap_no_credentials.deny) == 0 with input as cm(null, null)
	count(configmap_no_credentials.deny) == 0 with input as cm({"a": 1, "b": null}, {"bin": "%%%not-base64"})
	count(configmap_no_credentials.deny) == 1 with input as cm({"password": null}, {})
}

test_ignores_other_kinds if {
	count(configmap_no_credentials.deny) == 0 with input as object.union(cm({"password": "x"}, {}), {"kind": "Secret"})
}

# regression (issue 15): "PWD" alone is the shell's working directory, not a password
test_allows_pwd_and_oldpwd_alone if {
	count(configmap_no_credentials.deny) == 0 with input as cm({"PWD": "/app", "OLDPWD": "/", "pwd": "/srv"}, {})
}

# regression (issue 15): a credential word at the end of a longer word ("dbpassword") is found
test_denies_credential_word_inside_a_word if {
	some key in ["apiSecretKey", "ApiSecretKey", "passwordKey", "TokenKey", "DBPassword", "dbpassword", "DBPASSWORD", "adminPassword", "rootpasswd", "apiToken", "clientSecret", "db_pwd", "MYSQL_PWD", "mysqlpwd", "privateKey", "awsAccessKey"]
	count(configmap_no_credentials.deny) == 1 with input as cm({key: "x"}, {})
}

test_allows_words_that_only_contain_a_credential_word if {
	some key in ["max_tokens", "maxTokens", "MaxTokens", "apiKeyId", "SecretKeyRef", "PasswordFile", "tokenizer", "secretary", "passwordFile", "dbPasswordPath", "secretKeyRef", "apiKeyId", "password_min_length", "token_rotation_days", "keyboard"]
	count(configmap_no_credentials.deny) == 0 with input as cm({key: "x"}, {})
}

test_pem_header_needs_capital_words_before_private_key if {
	count(configmap_no_credentials.deny) == 0 with input as cm({"notes": "-----BEGIN my private key-----"}, {})
	count(configmap_no_credentials.deny) == 0 with input as cm({"notes": "BEGIN RSA PRIVATE KEY"}, {})
	count(configmap_no_credentials.deny) == 1 with input as cm({"notes": "x -----BEGIN ENCRYPTED PRIVATE KEY----- y"}, {})
	count(configmap_no_credentials.deny) == 1 with input as cm({"notes": "-----BEGIN PGP PRIVATE KEY BLOCK-----"}, {})
}
