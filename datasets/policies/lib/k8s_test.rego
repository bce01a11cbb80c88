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
