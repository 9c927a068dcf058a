/**
 * Default templates under the names Alertmanager's receivers refer to (`__subject`,
 * `slack.default.title`, `email.default.html` …), written for this project; their output follows
 * Alertmanager's conventions (`[FIRING:2] Name (labels)`), so configs that reference them work.
 */
export const DEFAULT_TEMPLATES = `
{{ define "__alertmanager" }}Alertmanager{{ end }}
{{ define "__alertmanagerURL" }}{{ .ExternalURL }}/#/alerts?receiver={{ .Receiver | urlquery }}{{ end }}

{{ define "__subject" -}}
[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}]
{{- " " }}{{ .GroupLabels.SortedPairs.Values | join " " }}
{{- if gt (len .CommonLabels) (len .GroupLabels) }} ({{ with .CommonLabels.Remove .GroupLabels.Names }}{{ .Values | join " " }}{{ end }}){{ end }}
{{- end }}

{{ define "__description" }}{{ end }}

{{ define "__text_alert_list" }}{{ range . }}Labels:
{{ range .Labels.SortedPairs }} - {{ .Name }} = {{ .Value }}
{{ end }}Annotations:
{{ range .Annotations.SortedPairs }} - {{ .Name }} = {{ .Value }}
{{ end }}Source: {{ .GeneratorURL }}
{{ end }}{{ end }}

{{ define "slack.default.title" }}{{ template "__subject" . }}{{ end }}
{{ define "slack.default.username" }}{{ template "__alertmanager" . }}{{ end }}
{{ define "slack.default.fallback" }}{{ template "slack.default.title" . }} | {{ template "slack.default.titlelink" . }}{{ end }}
{{ define "slack.default.titlelink" }}{{ template "__alertmanagerURL" . }}{{ end }}
{{ define "slack.default.text" }}{{ end }}

{{ define "pagerduty.default.description" }}{{ template "__subject" . }}{{ end }}
{{ define "pagerduty.default.client" }}{{ template "__alertmanager" . }}{{ end }}
{{ define "pagerduty.default.clientURL" }}{{ template "__alertmanagerURL" . }}{{ end }}
{{ define "pagerduty.default.instances" }}{{ template "__text_alert_list" . }}{{ end }}

{{ define "email.default.subject" }}{{ template "__subject" . }}{{ end }}
{{ define "email.default.html" -}}
<!DOCTYPE html>
<html><head><meta charset="UTF-8"><title>{{ template "__subject" . }}</title></head>
<body style="font-family: sans-serif">
<h2>{{ .Alerts | len }} alert{{ if gt (len .Alerts) 1 }}s{{ end }} for {{ range .GroupLabels.SortedPairs }}{{ .Name }}={{ .Value }} {{ end }}</h2>
<p><a href="{{ template "__alertmanagerURL" . }}">View in Alertmanager</a></p>
{{ if gt (len .Alerts.Firing) 0 }}<h3>[{{ .Alerts.Firing | len }}] Firing</h3>
{{ range .Alerts.Firing }}<p>{{ range .Labels.SortedPairs }}{{ .Name | html }} = {{ .Value | html }}<br>{{ end }}
{{ range .Annotations.SortedPairs }}{{ .Name | html }} = {{ .Value | html }}<br>{{ end }}
<a href="{{ .GeneratorURL }}">Source</a></p>
{{ end }}{{ end }}
{{ if gt (len .Alerts.Resolved) 0 }}<h3>[{{ .Alerts.Resolved | len }}] Resolved</h3>
{{ range .Alerts.Resolved }}<p>{{ range .Labels.SortedPairs }}{{ .Name | html }} = {{ .Value | html }}<br>{{ end }}</p>
{{ end }}{{ end }}
</body></html>
{{- end }}
{{ define "email.default.text" }}{{ template "__subject" . }}
{{ template "__text_alert_list" .Alerts }}{{ end }}
`;
