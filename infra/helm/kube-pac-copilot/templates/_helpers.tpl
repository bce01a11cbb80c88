{{/* Names, labels, the image reference, the PAC_* environment and the pod parts every Deployment shares. */}}

{{- define "kpc.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "kpc.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "kpc.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "kpc.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name: name an existing ServiceAccount when serviceAccount.create is false (the pods must not run as \"default\")" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Labels of every object: the recommended app.kubernetes.io set plus the owning team. */}}
{{- define "kpc.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "kpc.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: kube-pac-copilot
team: {{ required "team: name the team that owns this install (label team)" .Values.team | quote }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Annotations of every workload: the owner to call (policy metadata-owner-annotation). */}}
{{- define "kpc.annotations" -}}
{{- if not (regexMatch "^[^@\\s,]+@[^@\\s,]+\\.[^@\\s,]+$" (toString .Values.owner)) -}}
{{- fail (printf "owner: expected the owning team's email address, got %q" (toString .Values.owner)) -}}
{{- end -}}
kube-pac.io/owner: {{ .Values.owner | quote }}
{{- with .Values.commonAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/*
A workload's annotations: the owner, plus a pac exemption (kpc.io/exempt and its reason) for the
findings this chart accepts by design in the configuration at hand (see the README, "Accepted findings").
Called with (dict "root" $ "exempt" (list (list "<policy id>" "<reason>") …)).
*/}}
{{- define "kpc.workloadAnnotations" -}}
{{ include "kpc.annotations" .root }}
{{- if .exempt }}
{{- $ids := list }}
{{- $reasons := list }}
{{- range .exempt }}
{{- $ids = append $ids (index . 0) }}
{{- $reasons = append $reasons (printf "%s: %s" (index . 0) (index . 1)) }}
{{- end }}
kpc.io/exempt: {{ join ", " $ids | quote }}
kpc.io/exempt-reason: {{ join "; " $reasons | quote }}
{{- end }}
{{- end -}}

{{/* Selector labels of one component (api, worker-main, …): stable across upgrades. */}}
{{- define "kpc.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kpc.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "kpc.image" -}}
{{- $image := .Values.image -}}
{{- if $image.digest -}}
{{- if not (regexMatch "^sha256:[a-f0-9]{64}$" $image.digest) -}}
{{- fail (printf "image.digest: expected sha256:<64 lowercase hex digits>, got %q" $image.digest) -}}
{{- end -}}
{{- printf "%s@%s" $image.repository $image.digest -}}
{{- else -}}
{{- printf "%s:%s" $image.repository (default .Chart.AppVersion $image.tag) -}}
{{- end -}}
{{- end -}}

{{/* The variables whose values are secrets (infra/config-auth.ts SECRET_VARIABLES): never in a ConfigMap. */}}
{{- define "kpc.secretVariables" -}}
PAC_API_TOKENS PAC_LLM_API_KEY PAC_EMBEDDINGS_API_KEY PAC_TEMPORAL_API_KEY PAC_MLFLOW_TOKEN PAC_WEAVIATE_API_KEY PAC_ADMISSION_TOKEN
{{- end -}}

{{- define "kpc.secretName" -}}
{{- if .Values.secrets.existingSecret -}}
{{- .Values.secrets.existingSecret -}}
{{- else if .Values.secrets.create -}}
{{- printf "%s-secrets" (include "kpc.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* Where the Weaviate REST API is: the dependency's pods through our Service, or the external URL. */}}
{{- define "kpc.weaviateUrl" -}}
{{- if .Values.weaviate.enabled -}}
{{- printf "http://%s-weaviate.%s.svc.cluster.local:8080" (include "kpc.fullname" .) .Release.Namespace -}}
{{- else -}}
{{- required "externalWeaviate.url: the Weaviate REST URL (or weaviate.enabled=true)" .Values.externalWeaviate.url -}}
{{- end -}}
{{- end -}}

{{/* The ConfigMap's data as a dict: derived from the structured values, then `config` (no overlap, no secrets). */}}
{{- define "kpc.configData" -}}
{{- $v := .Values -}}
{{- $data := dict
  "PAC_TEMPORAL_ADDRESS" $v.temporal.address
  "PAC_TEMPORAL_NAMESPACE" $v.temporal.namespace
  "PAC_TASK_QUEUE" $v.temporal.taskQueues.main
  "PAC_TASK_QUEUE_LIFECYCLE" $v.temporal.taskQueues.lifecycle
  "PAC_TASK_QUEUE_DRAFTING" $v.temporal.taskQueues.drafting
  "PAC_MLFLOW_URI" $v.mlflow.uri
  "PAC_WEAVIATE_URL" (include "kpc.weaviateUrl" .)
  "PAC_WEAVIATE_GRPC_PORT" (toString (ternary 50051 $v.externalWeaviate.grpcPort $v.weaviate.enabled))
  "PAC_API_HOST" "0.0.0.0"
  "PAC_API_PORT" (toString $v.api.port)
  "PAC_STATE_DIR" "/var/lib/pac"
  "PAC_CACHE_DIR" "/tmp/pac-cache"
-}}
{{- with toString $v.temporal.tls.enabled -}}
{{- if not (has . (list "true" "false")) -}}
{{- fail (printf "temporal.tls.enabled: expected \"\", \"true\" or \"false\", got %q" .) -}}
{{- end -}}
{{- $_ := set $data "PAC_TEMPORAL_TLS" . -}}
{{- end -}}
{{- with $v.temporal.tls.serverName -}}{{- $_ := set $data "PAC_TEMPORAL_TLS_SERVER_NAME" . -}}{{- end -}}
{{- $tls := $v.temporal.tls -}}
{{- if and (or $tls.caKey $tls.certKey $tls.keyKey) (not $tls.existingSecret) -}}
{{- fail "temporal.tls: caKey/certKey/keyKey name keys of temporal.tls.existingSecret, which is not set" -}}
{{- end -}}
{{- if ne (empty $tls.certKey) (empty $tls.keyKey) -}}
{{- fail "temporal.tls: mTLS needs both certKey and keyKey (the client certificate and its key)" -}}
{{- end -}}
{{- with $tls.caKey -}}{{- $_ := set $data "PAC_TEMPORAL_TLS_CA" (printf "/etc/pac/temporal-tls/%s" .) -}}{{- end -}}
{{- with $tls.certKey -}}{{- $_ := set $data "PAC_TEMPORAL_TLS_CERT" (printf "/etc/pac/temporal-tls/%s" .) -}}{{- end -}}
{{- with $tls.keyKey -}}{{- $_ := set $data "PAC_TEMPORAL_TLS_KEY" (printf "/etc/pac/temporal-tls/%s" .) -}}{{- end -}}
{{- if $v.admission.enabled -}}
{{- $_ := set $data $v.admission.tls.certEnv "/etc/pac/admission-tls/tls.crt" -}}
{{- $_ := set $data $v.admission.tls.keyEnv "/etc/pac/admission-tls/tls.key" -}}
{{- end -}}
{{- $secret := splitList " " (include "kpc.secretVariables" .) -}}
{{- range $key, $value := $v.config -}}
{{- if not (regexMatch "^PAC_[A-Z0-9_]+$" $key) -}}
{{- fail (printf "config.%s: keys are PAC_* variable names (infra/config.ts)" $key) -}}
{{- end -}}
{{- if has $key $secret -}}
{{- fail (printf "config.%s: a secret never goes into the ConfigMap; put it in the Secret under its key in secrets.keys" $key) -}}
{{- end -}}
{{- if hasKey $data $key -}}
{{- fail (printf "config.%s: set by the chart from its structured values (temporal.*, mlflow.*, externalWeaviate.*, api.port, admission.*); set it there" $key) -}}
{{- end -}}
{{- if not (kindIs "invalid" $value) -}}
{{- $_ := set $data $key (toString $value) -}}
{{- end -}}
{{- end -}}
{{- toYaml $data -}}
{{- end -}}

{{/* Environment of every product container: the ConfigMap, then each secret key as an optional variable. */}}
{{- define "kpc.env" -}}
envFrom:
  - configMapRef:
      name: {{ include "kpc.fullname" . }}-config
env:
  - name: HOME
    value: /tmp
{{- $secretName := include "kpc.secretName" . }}
{{- if $secretName }}
{{- $secret := splitList " " (include "kpc.secretVariables" .) }}
{{- range $key, $variable := .Values.secrets.keys }}
{{- if not (has $variable $secret) }}
{{- fail (printf "secrets.keys.%s: %s is not a secret variable (expected one of %s)" $key $variable (join ", " $secret)) }}
{{- end }}
  - name: {{ $variable }}
    valueFrom:
      secretKeyRef:
        name: {{ $secretName }}
        key: {{ $key }}
        optional: true
{{- end }}
{{- end }}
{{- end -}}

{{/* Volumes every product pod mounts: /tmp, the state directory, the Temporal TLS files. */}}
{{- define "kpc.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmp.sizeLimit }}
- name: state
{{- if .Values.state.existingClaim }}
  persistentVolumeClaim:
    claimName: {{ .Values.state.existingClaim }}
{{- else }}
  emptyDir:
    sizeLimit: {{ .Values.state.sizeLimit }}
{{- end }}
{{- if .Values.temporal.tls.existingSecret }}
- name: temporal-tls
  secret:
    secretName: {{ .Values.temporal.tls.existingSecret }}
    defaultMode: 288 # 0440 (decimal: YAML 1.1 and 1.2 readers agree)
{{- end }}
{{- end -}}

{{- define "kpc.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: state
  mountPath: /var/lib/pac
{{- if .Values.temporal.tls.existingSecret }}
- name: temporal-tls
  mountPath: /etc/pac/temporal-tls
  readOnly: true
{{- end }}
{{- end -}}

{{/* A pod's security context and the pull secrets, shared by every product pod. */}}
{{- define "kpc.podSecurity" -}}
serviceAccountName: {{ include "kpc.serviceAccountName" . }}
automountServiceAccountToken: {{ .Values.serviceAccount.automountToken }}
enableServiceLinks: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* The pod template's annotations: the owner and a checksum of the configuration (a change rolls the pods). */}}
{{- define "kpc.podAnnotations" -}}
{{ include "kpc.annotations" . }}
checksum/config: {{ include "kpc.configData" . | sha256sum }}
{{- end -}}

{{/* Egress of every product pod: DNS, then networkPolicy.egress. */}}
{{- define "kpc.egressRules" -}}
# DNS
- to:
    - namespaceSelector: {}
      podSelector:
        matchLabels:
          k8s-app: kube-dns
  ports:
    - { protocol: UDP, port: 53 }
    - { protocol: TCP, port: 53 }
{{- with .egress }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Spread a component's replicas over nodes (soft: ScheduleAnyway), unless the values give constraints. */}}
{{- define "kpc.topologySpread" -}}
{{- if .constraints -}}
{{- toYaml .constraints }}
{{- else -}}
- maxSkew: 1
  topologyKey: kubernetes.io/hostname
  whenUnsatisfiable: ScheduleAnyway
  labelSelector:
    matchLabels:
      {{- include "kpc.selectorLabels" (dict "root" .root "component" .component) | nindent 6 }}
{{- end }}
{{- end -}}
