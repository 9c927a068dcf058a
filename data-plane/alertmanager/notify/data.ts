import { Labels } from '../../model/index.js';
import { type Alert, isResolved } from '../alert.js';
import type { NotifyData } from './types.js';

/** Go's RFC 3339 form as Alertmanager prints it (no `.000`; the zero time for "not ended"). */
export function goTime(ms: number | undefined): string {
  if (ms === undefined) return '0001-01-01T00:00:00Z';
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

export interface AlertData {
  status: 'firing' | 'resolved';
  labels: Labels;
  annotations: Labels;
  startsAt: number;
  endsAt: number | undefined;
  generatorURL: string;
  fingerprint: string;
}

/** The data templates and payloads are rendered from (Alertmanager's template.Data). */
export interface TemplateData {
  receiver: string;
  status: 'firing' | 'resolved';
  alerts: AlertData[];
  groupLabels: Labels;
  commonLabels: Labels;
  commonAnnotations: Labels;
  externalURL: string;
  groupKey: string;
}

export function templateData(d: NotifyData): TemplateData {
  const alerts = d.alerts.map((a) => alertData(a, d.now));
  return {
    receiver: d.receiver,
    status: alerts.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
    alerts,
    groupLabels: d.groupLabels,
    commonLabels: common(d.alerts.map((a) => a.labels)),
    commonAnnotations: common(d.alerts.map((a) => a.annotations)),
    externalURL: d.externalUrl,
    groupKey: d.groupKey,
  };
}

function alertData(a: Alert, now: number): AlertData {
  const resolved = isResolved(a, now);
  return {
    status: resolved ? 'resolved' : 'firing',
    labels: a.labels,
    annotations: a.annotations,
    startsAt: a.startsAt,
    // Alertmanager hides the end of an alert that has not ended yet.
    endsAt: resolved ? a.endsAt : undefined,
    generatorURL: a.generatorURL,
    fingerprint: a.fingerprint,
  };
}

/** Pairs present with the same value in every set. */
function common(sets: Labels[]): Labels {
  const [first, ...rest] = sets;
  if (!first) return Labels.EMPTY;
  const pairs: [string, string][] = [];
  first.forEach((n, v) => {
    if (rest.every((s) => s.get(n) === v && s.has(n))) pairs.push([n, v]);
  });
  return Labels.fromPairs(pairs);
}

/** Alertmanager's webhook payload, version 4. */
export function webhookPayload(data: TemplateData, truncated: number): Record<string, unknown> {
  return {
    receiver: data.receiver,
    status: data.status,
    alerts: data.alerts.map((a) => ({
      status: a.status,
      labels: a.labels.toObject(),
      annotations: a.annotations.toObject(),
      startsAt: goTime(a.startsAt),
      endsAt: goTime(a.endsAt),
      generatorURL: a.generatorURL,
      fingerprint: a.fingerprint,
    })),
    groupLabels: data.groupLabels.toObject(),
    commonLabels: data.commonLabels.toObject(),
    commonAnnotations: data.commonAnnotations.toObject(),
    externalURL: data.externalURL,
    version: '4',
    groupKey: data.groupKey,
    truncatedAlerts: truncated,
  };
}
