{{/* Names, labels, the image reference and the checks that refuse a deployment losing data. */}}

{{- define "enlace.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "enlace.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "enlace.selectorLabels" -}}
app.kubernetes.io/name: {{ include "enlace.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "enlace.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "enlace.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "enlace.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "enlace.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "enlace.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/* "true" when more than one pod may run at once: several replicas, or an autoscaler. */}}
{{- define "enlace.multiInstance" -}}
{{- if or (gt (int .Values.replicaCount) 1) .Values.autoscaling.enabled -}}true{{- end -}}
{{- end -}}

{{/* "true" when an init container must copy Secret files into owner-only files. */}}
{{- define "enlace.copiesSecrets" -}}
{{- if or .Values.keys.existingSecret .Values.pki.existingSecret .Values.tls.enabled -}}true{{- end -}}
{{- end -}}

{{/*
Refusals, rendered by the Deployment so that no manifest is produced for a deployment that would
lose or fork data.
*/}}
{{- define "enlace.validate" -}}
{{- if not .Values.publicUrl -}}
{{- fail "enlace: publicUrl is required (the https URL partners use to reach the gateway, ENLACE_PUBLIC_URL)" -}}
{{- end -}}
{{- if include "enlace.multiInstance" . -}}
{{- $pods := ternary (printf "autoscaling up to %v pods" .Values.autoscaling.maxReplicas) (printf "replicaCount %v" .Values.replicaCount) .Values.autoscaling.enabled -}}
{{- /* Why: SQLite lives in one pod's volume; a second pod would open its own empty database. */ -}}
{{- if not .Values.database.existingSecret -}}
{{- fail (printf "enlace: %s needs PostgreSQL: SQLite is single-instance. Create a Secret holding the postgres:// URL and set database.existingSecret (or run one pod)" $pods) -}}
{{- end -}}
{{- /* Why: each pod would create its own signing, data and pseudonym keys; records sealed by one would not open in another. */ -}}
{{- if not .Values.keys.existingSecret -}}
{{- fail (printf "enlace: %s needs keys.existingSecret: instances sharing a database must share the gateway's key files" $pods) -}}
{{- end -}}
{{- if and .Values.persistence.enabled (not .Values.persistence.existingClaim) (has "ReadWriteOnce" .Values.persistence.accessModes) -}}
{{- fail (printf "enlace: %s cannot share one ReadWriteOnce volume; set persistence.enabled=false (PostgreSQL holds the state) or use ReadWriteMany" $pods) -}}
{{- end -}}
{{- end -}}
{{- /* Why: an emptyDir dies with the pod; so would the SQLite database or the only copy of the keys. */ -}}
{{- if not .Values.persistence.enabled -}}
{{- if not .Values.database.existingSecret -}}
{{- fail "enlace: persistence.enabled=false without database.existingSecret would lose the SQLite database at every pod restart; keep persistence or use PostgreSQL" -}}
{{- end -}}
{{- if not .Values.keys.existingSecret -}}
{{- fail "enlace: persistence.enabled=false without keys.existingSecret would create new keys at every pod restart, and records sealed with the old ones would not open" -}}
{{- end -}}
{{- end -}}
{{- if and .Values.tls.enabled (not .Values.tls.existingSecret) -}}
{{- fail "enlace: tls.enabled needs tls.existingSecret, a kubernetes.io/tls Secret" -}}
{{- end -}}
{{- if and .Values.tls.enabled (eq .Values.tls.clientAuth "require") -}}
{{- fail "enlace: tls.clientAuth=require would fail every kubelet probe (probes present no client certificate); use optional" -}}
{{- end -}}
{{- end -}}

{{/* The init container's script: each Secret file becomes a regular owner-only file (0600). */}}
{{- define "enlace.copyScript" -}}
copy() {
  install -d -m 0700 "$2"
  for file in "$1"/*; do
    if [ -f "$file" ]; then install -m 0600 "$file" "$2/${file##*/}"; fi
  done
}
{{- if .Values.keys.existingSecret }}
copy /etc/enlace/secrets/keys /var/lib/enlace/keys
{{- end }}
{{- if .Values.pki.existingSecret }}
copy /etc/enlace/secrets/pki /var/lib/enlace/pki
{{- end }}
{{- if .Values.tls.enabled }}
copy /etc/enlace/secrets/tls /run/enlace/tls
{{- end }}
{{- end -}}
