# Approving a CertificateSigningRequest makes a signer issue the certificate: with the built-in
# kubernetes.io/kube-apiserver-client signer, a client certificate for any user and group,
# system:masters included, i.e. cluster-admin that no RBAC change can revoke. Approval needs
# update on certificatesigningrequests/approval and approve on the signer (resource "signers").
# CIS Kubernetes Benchmark 5.1.11 (minimise access to the approval sub-resource of CSRs).
# Deny ClusterRole rules in certificates.k8s.io (or "*") that grant update, patch or "*" on
# certificatesigningrequests/approval ("*/approval" and "*" included), or approve or "*" on
# signers (resourceNames narrow the signers but are no exemption). CSRs are cluster-scoped, so a
# Role cannot grant either. Roles named in exempt_roles (globs) are not checked.
package kpc.policies.rbac_csr_approval

import data.kpc.lib.k8s

policy := "rbac-csr-approval"

grants := [
	{"resource": "certificatesigningrequests/approval", "verbs": {"update", "patch"}, "what": "approves CertificateSigningRequests"},
	{"resource": "signers", "verbs": {"approve"}, "what": "lets a signer issue the approved certificates"},
]

deny contains msg if {
	input.kind == "ClusterRole"
	not k8s.name_matches_any(k8s.param(policy, "exempt_roles", []))
	some i, rule in k8s.as_array(object.get(input, "rules", []))
	k8s.rule_in_group(rule, "certificates.k8s.io")
	some grant in grants
	resources := k8s.rule_resources_matching(rule, grant.resource)
	verbs := k8s.rule_verbs_matching(rule, grant.verbs)
	msg := sprintf(
		"%s: rules[%d] grants %v on %s (rules[%d].resources %v), which %s; approving CSRs can mint a client certificate for any user, system:masters included: grant it only to the CSR approver",
		[k8s.resource, i, verbs, grant.resource, i, resources, grant.what],
	)
}
