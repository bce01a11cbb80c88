package kpc.policies.secrets_in_env_literal_test

import data.kpc.policies.secrets_in_env_literal as env_secrets

c(name, env) := {"name": name, "image": "x:1", "env": env}

literal := [{"name": "DB_PASSWORD", "value": "hunter2"}]

from_secret := [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}]

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

test_denies_literal_secret_in_every_kind if {
	spec := {"containers": [c("app", literal)]}
	count(env_secrets.deny) == 1 with input as pod(spec)
	every kind in ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"] {
		count(env_secrets.deny) == 1 with input as templated(kind, spec)
	}
	count(env_secrets.deny) == 1 with input as cronjob(spec)
}

test_denies_in_every_container_list if {
	ok := c("app", from_secret)
	count(env_secrets.deny) == 1 with input as pod({"containers": [ok], "initContainers": [c("init", literal)]})
	count(env_secrets.deny) == 1 with input as pod({"containers": [ok], "ephemeralContainers": [c("debug", literal)]})
	count(env_secrets.deny) == 2 with input as pod({"containers": [c("a", literal), c("b", literal)]})
}

test_every_name_pattern_case_insensitively if {
	every name in ["password", "DB_PASSWD", "client_secret", "GITHUB_TOKEN", "apiKey", "API_KEY", "api-key", "STRIPE_APIKEY", "private_key", "PrivateKey", "PRIVATE-KEY", "AWS_CREDENTIALS", "credential"] {
		count(env_secrets.deny) == 1 with input as pod({"containers": [c("app", [{"name": name, "value": "x"}])]})
	}
}

test_non_string_literals_are_literals if {
	count(env_secrets.deny) == 1 with input as pod({"containers": [c("app", [{"name": "PIN_TOKEN", "value": 1234}])]})
}

test_message_names_resource_container_variable_and_field_but_not_value if {
	some msg in env_secrets.deny with input as templated("Deployment", {"containers": [c("app", [{"name": "LOG_LEVEL", "value": "info"}, {"name": "API_TOKEN", "value": "s3cr3t-value"}])]})
	contains(msg, "Deployment shop/w")
	contains(msg, `"app" (containers)`)
	contains(msg, `"API_TOKEN"`)
	contains(msg, "spec.template.spec.containers[0].env[1].value")
	not contains(msg, "s3cr3t-value")
}

test_allows_value_from_and_harmless_values if {
	count(env_secrets.deny) == 0 with input as pod({"containers": [c("app", from_secret)]})
	count(env_secrets.deny) == 0 with input as pod({"containers": [c("app", [{"name": "DB_PASSWORD", "value": ""}])]})
	count(env_secrets.deny) == 0 with input as pod({"containers": [c("app", [{"name": "DB_PASSWORD", "value": null}])]})
	count(env_secrets.deny) == 0 with input as pod({"containers": [c("app", [{"name": "DB_PASSWORD_FILE_REF", "value": "$(DB_PASSWORD)"}])]})
	count(env_secrets.deny) == 0 with input as pod({"containers": [c("app", [{"name": "LOG_LEVEL", "value": "debug"}, {"name": "DB_HOST", "value": "postgres"}])]})
	count(env_secrets.deny) == 0 with input as cronjob({"containers": [c("app", from_secret)], "initContainers": [c("i", from_secret)]})
}

test_reference_plus_literal_is_a_literal if {
	count(env_secrets.deny) == 1 with input as pod({"containers": [c("app", [{"name": "DB_PASSWORD", "value": "$(PREFIX)hunter2"}])]})
}

test_missing_or_malformed_env_does_not_crash if {
	count(env_secrets.deny) == 0 with input as pod({"containers": [{"name": "app"}]})
	count(env_secrets.deny) == 0 with input as pod({"containers": [{"name": "app", "env": null}]})
	count(env_secrets.deny) == 0 with input as pod({"containers": [{"name": "app", "env": {"DB_PASSWORD": "x"}}]})
	count(env_secrets.deny) == 0 with input as pod({"containers": [c("app", [{"value": "x"}, {"name": 5, "value": "x"}])]})
	count(env_secrets.deny) == 0 with input as pod({})
	count(env_secrets.deny) == 0 with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": {"password": "x"}}
}

test_allows_names_that_point_at_the_secret if {
	every name in [
		"KUBERNETES_TOKEN_PATH", "TOKEN_FILE", "POSTGRES_PASSWORD_FILE", "client_secret_file", "SECRETS_DIR",
		"TOKEN_URL", "VAULT_SECRET_URI", "OIDC_TOKEN_ENDPOINT", "SECRET_NAME", "API_KEY_REF", "GIT_CREDENTIALS-PATH",
		"jwt.secret.path", "CA_TOKEN_PATHS", "SECRET_FILES", "DB_PASSWORD_NAME",
	] {
		count(env_secrets.deny) == 0 with input as pod({"containers": [c("app", [{"name": name, "value": "/var/run/secrets/x"}])]})
	}
}

test_location_names_pass_in_every_kind_and_container_list if {
	env := [{"name": "KUBERNETES_TOKEN_PATH", "value": "/var/run/secrets/tokens/api"}, {"name": "OAUTH_TOKEN_ENDPOINT", "value": "https://auth.platform.svc/oauth2/token"}]
	spec := {"containers": [c("app", env)], "initContainers": [c("init", env)], "ephemeralContainers": [c("debug", env)]}
	count(env_secrets.deny) == 0 with input as pod(spec)
	every kind in ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"] {
		count(env_secrets.deny) == 0 with input as templated(kind, spec)
	}
	count(env_secrets.deny) == 0 with input as cronjob(spec)
}

test_secret_values_and_lookalike_names_still_deny if {
	every name in [
		"API_KEY", "TOKEN", "DB_PASSWORD", "VAULT_SECRET_ID", "API_KEY_ID", "PRIVATE_KEY_ID", "TOKENFILE",
		"SECRETNAME", "TOKEN_FILE_CONTENTS", "PATH_TOKEN", "FILE_SECRET", "TOKEN_USERNAME", "REFRESH_TOKEN",
	] {
		count(env_secrets.deny) == 1 with input as pod({"containers": [c("app", [{"name": name, "value": "s3cr3t"}])]})
	}
}

test_location_name_with_credentials_in_a_url_denies if {
	every value in ["https://admin:hunter2@vault.platform.svc:8200", "https://ghp_abc123@github.com/org/repo.git", "postgres://app:pw@postgres.data:5432/app"] {
		count(env_secrets.deny) == 1 with input as pod({"containers": [c("app", [{"name": "SECRET_STORE_URL", "value": value}])]})
	}
	count(env_secrets.deny) == 0 with input as pod({"containers": [c("app", [{"name": "SECRET_STORE_URL", "value": "https://vault.platform.svc:8200/v1/kv/data/app@v2"}])]})
	count(env_secrets.deny) == 0 with input as pod({"containers": [c("app", [{"name": "TOKEN_REF", "value": 42}])]})
}

test_message_for_a_denied_lookalike_name if {
	some msg in env_secrets.deny with input as templated("StatefulSet", {"initContainers": [c("seed", [{"name": "TOKEN_FILE", "value": "/run/t"}, {"name": "TOKEN_FILE_CONTENTS", "value": "abc"}])]})
	contains(msg, "StatefulSet shop/w")
	contains(msg, `"seed" (initContainers)`)
	contains(msg, `"TOKEN_FILE_CONTENTS"`)
	contains(msg, "spec.template.spec.initContainers[0].env[1].value")
	not contains(msg, "abc")
}

test_references_and_urls_without_regular_expressions if {
	every value in ["$(DB_PASS)", "$(A)$(B_2.x)", "$(_a-b)"] {
		count(data.kpc.policies.secrets_in_env_literal.deny) == 0 with input as pod({"containers": [c("app", [{"name": "DB_PASSWORD", "value": value}])]})
	}
	every value in ["$(A", "$()", "$(9A)", "$(A)x$(B)", "x$(A)", "$(A B)"] {
		count(data.kpc.policies.secrets_in_env_literal.deny) == 1 with input as pod({"containers": [c("app", [{"name": "DB_PASSWORD", "value": value}])]})
	}
	every value in ["https://user:pass@db.example.com/x", "postgres://u@host", "a+b.c-d://t@h"] {
		count(data.kpc.policies.secrets_in_env_literal.deny) == 1 with input as pod({"containers": [c("app", [{"name": "TOKEN_URL", "value": value}])]})
	}
	every value in ["https://db.example.com/x@y", "http://host?x=@y", "ftp://a b@host", "1a://x@y", "://x@y", "https://host#@x", "https://host"] {
		count(data.kpc.policies.secrets_in_env_literal.deny) == 0 with input as pod({"containers": [c("app", [{"name": "TOKEN_URL", "value": value}])]})
	}
}
