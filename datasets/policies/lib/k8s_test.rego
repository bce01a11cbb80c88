package kpc.lib.k8s_test

import data.kpc.lib.k8s

pod := {"kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": {
	"containers": [{"name": "app"}],
	"initContainers": [{"name": "init"}],
	"ephemeralContainers": [{"name": "debug"}],
}}

test_pod_spec_per_kind if {
	k8s.pod_spec == pod.spec with input as pod
	k8s.pod_spec == {"containers": []} with input as {"kind": "Deployment", "spec": {"template": {"spec": {"containers": []}}}}
	k8s.pod_spec == {"containers": []} with input as {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": []}}}}}}
	not k8s.pod_spec with input as {"kind": "Service", "spec": {}}
}

test_every_container_list if {
	names := {e.name | some e in k8s.containers} with input as pod
	names == {"app", "init", "debug"}
	paths := {e.path | some e in k8s.containers} with input as pod
	paths == {"spec.containers[0]", "spec.initContainers[0]", "spec.ephemeralContainers[0]"}
}

test_long_running_only_for_services if {
	count(k8s.long_running_containers) == 1 with input as pod
	count(k8s.long_running_containers) == 0 with input as {"kind": "Job", "spec": {"template": {"spec": {"containers": [{"name": "x"}]}}}}
}

test_resource_names if {
	k8s.resource == "Pod shop/p" with input as pod
	k8s.resource == "ClusterRole admin" with input as {"kind": "ClusterRole", "metadata": {"name": "admin"}}
	k8s.resource == "Service default/<unnamed>" with input as {"kind": "Service"}
}

test_pod_metadata_per_kind if {
	k8s.pod_metadata == {"name": "p", "namespace": "shop"} with input as pod
	k8s.pod_metadata == {"labels": {"a": "b"}} with input as {"kind": "Job", "spec": {"template": {"metadata": {"labels": {"a": "b"}}, "spec": {}}}}
	k8s.pod_metadata == {} with input as {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {}}}}}}
	k8s.pod_spec_path == "spec.jobTemplate.spec.template.spec" with input as {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {}}}}}}
	k8s.pod_spec_path == "spec.template.spec" with input as {"kind": "StatefulSet", "spec": {"template": {"spec": {}}}}
}

test_effective_security_falls_back_to_pod if {
	p := {"kind": "Pod", "spec": {"securityContext": {"runAsNonRoot": true}, "containers": []}}
	k8s.effective_security({"securityContext": {"runAsNonRoot": false}}, "runAsNonRoot") == false with input as p
	k8s.effective_security({}, "runAsNonRoot") == true with input as p
}

test_params_and_inventory if {
	k8s.param("x", "k", 1) == 1
	k8s.param("x", "k", 1) == 2 with data.kpc.params as {"x": {"k": 2}}
	k8s.inventory_namespaced("shop", "NetworkPolicy") == {}
	k8s.inventory_cluster("Namespace") == {"a": {}} with data.inventory as {"cluster": {"Namespace": {"a": {}}}}
	k8s.labels == {} with input as {"kind": "Pod"}
	k8s.annotations == {"a": "b"} with input as {"kind": "Pod", "metadata": {"annotations": {"a": "b"}}}
}

test_quantity_grammar if {
	k8s.quantity(2) == 2
	k8s.quantity("500m") == 0.5
	k8s.quantity("1Ki") == 1024
	k8s.quantity("1e3") == 1000
	k8s.quantity("1E+2") == 100
	k8s.quantity("5e-1") == 0.5
	k8s.quantity(".5") == 0.5
	k8s.quantity("1.") == 1
	every q in ["", ".", "1e", "3x", "1.2.3", "1e+", "--1", "1mi", "e3", true] {
		not k8s.quantity(q)
	}
}

test_image_exempt_globs if {
	params := {"p": {"exempt_images": ["registry.internal.example/platform/*", "*/istio/proxyv2:1.2?.*"]}}
	k8s.image_exempt("p", "registry.internal.example/platform/agent:1.0@sha256:abc") with data.kpc.params as params
	k8s.image_exempt("p", "docker.io/istio/proxyv2:1.22.3") with data.kpc.params as params
	not k8s.image_exempt("p", "registry.internal.example/shop/web:1") with data.kpc.params as params
	not k8s.image_exempt("p", 7) with data.kpc.params as params
	not k8s.image_exempt("p", "registry.internal.example/platform/agent:1")
	names := {e.name | some e in k8s.checked_containers("p")} with input as {"kind": "Pod", "spec": {"containers": [{"name": "a", "image": "registry.internal.example/platform/x:1"}, {"name": "b", "image": "registry.internal.example/shop/y:1"}]}} with data.kpc.params as params
	names == {"b"}
}

test_ranges if {
	k8s.outside_range(5, {"min": 10})
	k8s.outside_range(50, {"min": 10, "max": 20})
	not k8s.outside_range(15, {"min": 10, "max": 20})
	not k8s.outside_range(15, null)
	not k8s.outside_range("15", {"min": 20})
	k8s.describe_range({"min": 10}) == "10-"
}

test_selector_matches_every_operator if {
	labels := {"app": "web", "tier": "api"}
	k8s.selector_matches({}, labels)
	k8s.selector_matches({"matchLabels": {"app": "web"}}, labels)
	not k8s.selector_matches({"matchLabels": {"app": "cart"}}, labels)
	k8s.selector_matches({"matchExpressions": [{"key": "app", "operator": "In", "values": ["web", "x"]}]}, labels)
	not k8s.selector_matches({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["web"]}]}, labels)
	k8s.selector_matches({"matchExpressions": [{"key": "zone", "operator": "NotIn", "values": ["a"]}]}, labels)
	k8s.selector_matches({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, labels)
	not k8s.selector_matches({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, labels)
	k8s.selector_matches({"matchExpressions": [{"key": "zone", "operator": "DoesNotExist"}]}, labels)
	not k8s.selector_matches({"matchExpressions": [{"key": "app", "operator": "Like"}]}, labels)
	not k8s.selector_matches(null, labels)
	k8s.selector_matches({"matchLabels": "x", "matchExpressions": "y"}, labels)
}

test_map_selects if {
	k8s.map_selects({"app": "web"}, {"app": "web", "x": "y"})
	not k8s.map_selects({"app": "web", "x": "z"}, {"app": "web", "x": "y"})
	not k8s.map_selects({}, {"app": "web"})
	not k8s.map_selects(null, {"app": "web"})
}

test_inventory_owners_and_sync if {
	inv := {"namespace": {"shop": {
		"Deployment": {"web": {"kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 3, "template": {"metadata": {"labels": {"app": "web"}}}}}},
		"DaemonSet": {"agent": {"kind": "DaemonSet", "metadata": {"name": "agent"}, "spec": {"template": {"metadata": {"labels": {"app": "agent"}}}}}},
		"Pod": {"p": {"kind": "Pod", "metadata": {"name": "p", "labels": {"app": "p"}}}},
		"CronJob": {"c": {"kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": {"spec": {"template": {"metadata": {"labels": {"app": "c"}}}}}}}},
		"StatefulSet": {"s": {"kind": "StatefulSet", "metadata": {"name": "s"}, "spec": {}}},
	}}}
	owners := {[o.kind, o.name, o.replicas] | some o in k8s.inventory_pod_owners("shop")} with data.inventory as inv
	owners == {["Deployment", "web", 3], ["DaemonSet", "agent", null], ["Pod", "p", 1], ["CronJob", "c", null], ["StatefulSet", "s", 1]}
	labels := {o.name: o.labels | some o in k8s.inventory_pod_owners("shop")} with data.inventory as inv
	labels == {"web": {"app": "web"}, "agent": {"app": "agent"}, "p": {"app": "p"}, "c": {"app": "c"}, "s": {}}
	k8s.inventory_synced("shop", "Pod") with data.inventory as inv
	not k8s.inventory_synced("shop", "Secret") with data.inventory as inv
	not k8s.inventory_synced("data", "Pod") with data.inventory as inv
	count(k8s.inventory_pod_owners("data")) == 0 with data.inventory as inv
	all := k8s.inventory_all_namespaces("Pod") with data.inventory as inv
	all == [{"namespace": "shop", "name": "p", "object": inv.namespace.shop.Pod.p}]
	k8s.inventory_all_namespaces("Pod") == [] with data.inventory as {"namespace": []}
}

test_object_pod_spec_and_service_account if {
	k8s.object_pod_spec({"kind": "Pod", "spec": {"a": 1}}) == {"a": 1}
	k8s.object_pod_spec({"kind": "Job", "spec": {"template": {"spec": {"a": 2}}}}) == {"a": 2}
	k8s.object_pod_spec({"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": {"spec": {"a": 3}}}}}}) == {"a": 3}
	not k8s.object_pod_spec({"kind": "Service", "spec": {}})
	k8s.service_account_of({"serviceAccountName": "web", "serviceAccount": "old"}) == "web"
	k8s.service_account_of({"serviceAccountName": "", "serviceAccount": "old"}) == "old"
	k8s.service_account_of({"serviceAccount": 7}) == "default"
	k8s.service_account_of({}) == "default"
}

test_rbac_rule_matching if {
	rule := {"apiGroups": ["", "apps"], "resources": ["pods", "*/status", "services"], "verbs": ["get", "create", "*"]}
	k8s.rule_in_group(rule, "apps")
	not k8s.rule_in_group(rule, "batch")
	k8s.rule_in_group({"resources": ["pods"]}, "")
	k8s.rule_in_group({"apiGroups": ["*"]}, "batch")
	k8s.rule_resources_matching(rule, "pods") == ["pods"]
	k8s.rule_resources_matching(rule, "services/status") == ["*/status"]
	not k8s.rule_resources_matching(rule, "deployments")
	k8s.rule_resources_matching({"resources": ["*"]}, "pods/exec") == ["*"]
	not k8s.rule_resources_matching({"resources": ["*/status"]}, "pods")
	k8s.rule_verbs_matching(rule, {"create", "update"}) == ["*", "create"]
	not k8s.rule_verbs_matching({"verbs": ["get"]}, {"create"})
	not k8s.rule_verbs_matching({"verbs": "create"}, {"create"})
}

test_name_matches_any if {
	k8s.name_matches_any(["system:controller:*"]) with input as {"kind": "ClusterRole", "metadata": {"name": "system:controller:x"}}
	not k8s.name_matches_any(["system:*"]) with input as {"kind": "ClusterRole", "metadata": {"name": "admin"}}
	not k8s.name_matches_any([]) with input as {"kind": "ClusterRole", "metadata": {"name": "admin"}}
}
