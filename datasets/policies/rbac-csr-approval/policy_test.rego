package kpc.policies.rbac_csr_approval_test

import data.kpc.policies.rbac_csr_approval as csr

role(kind, rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "approver"}, "rules": rules}

approval(verbs) := {"apiGroups": ["certificates.k8s.io"], "resources": ["certificatesigningrequests/approval"], "verbs": verbs}

signers(verbs) := {"apiGroups": ["certificates.k8s.io"], "resources": ["signers"], "resourceNames": ["kubernetes.io/kube-apiserver-client"], "verbs": verbs}

test_denies_approval_and_signer_grants if {
	every verb in ["update", "patch", "*"] {
		count(csr.deny) == 1 with input as role("ClusterRole", [approval([verb])])
	}
	every verb in ["approve", "*"] {
		count(csr.deny) == 1 with input as role("ClusterRole", [signers([verb])])
	}
	count(csr.deny) == 2 with input as role("ClusterRole", [approval(["update"]), signers(["approve"])])
}

test_denies_wildcards if {
	count(csr.deny) == 1 with input as role("ClusterRole", [{"apiGroups": ["*"], "resources": ["*/approval"], "verbs": ["patch"]}])
	count(csr.deny) == 2 with input as role("ClusterRole", [{"apiGroups": ["certificates.k8s.io"], "resources": ["*"], "verbs": ["*"]}])
}

test_message_names_rule_verbs_resources_and_risk if {
	some msg in csr.deny with input as role("ClusterRole", [approval(["get"]), signers(["get", "approve"])])
	contains(msg, "ClusterRole approver")
	contains(msg, `rules[1] grants ["approve"] on signers (rules[1].resources ["signers"])`)
	contains(msg, "system:masters")
}

test_allows_reads_creates_and_other_groups if {
	count(csr.deny) == 0 with input as role("ClusterRole", [{"apiGroups": ["certificates.k8s.io"], "resources": ["certificatesigningrequests"], "verbs": ["create", "get", "list", "watch", "update"]}])
	count(csr.deny) == 0 with input as role("ClusterRole", [approval(["get"]), signers(["sign"])])
	count(csr.deny) == 0 with input as role("ClusterRole", [{"apiGroups": [""], "resources": ["signers", "certificatesigningrequests/approval"], "verbs": ["*"]}])
	count(csr.deny) == 0 with input as role("Role", [approval(["update"])])
}

test_exempt_roles if {
	count(csr.deny) == 0 with input as role("ClusterRole", [approval(["update"])]) with data.kpc.params as {"rbac-csr-approval": {"exempt_roles": ["approver"]}}
	count(csr.deny) == 1 with input as role("ClusterRole", [approval(["update"])]) with data.kpc.params as {"rbac-csr-approval": {"exempt_roles": ["system:controller:*"]}}
}
