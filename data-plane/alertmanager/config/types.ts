import type { Matcher } from '../../model/index.js';

/** One validation problem: `path` points at the bad field (`route.routes[1].receiver`). */
export interface ConfigError {
  path: string;
  message: string;
}

/** HTTP client settings a receiver may use. File-based fields do not exist here on purpose. */
export interface HttpConfig {
  basicAuth?: { username: string; password: string };
  /** `Authorization: <type> <credentials>` (bearer_token maps to type Bearer). */
  authorization?: { type: string; credentials: string };
  insecureSkipVerify: boolean;
}

export interface GlobalConfig {
  resolveTimeoutMs: number;
  smtpFrom?: string;
  smtpSmarthost?: string;
  smtpHello: string;
  smtpAuthUsername?: string;
  smtpAuthPassword?: string;
  smtpRequireTls: boolean;
  slackApiUrl?: string;
  pagerdutyUrl: string;
  httpConfig: HttpConfig;
}

/** A route with every inherited option already resolved from its parents. */
export interface RouteConfig {
  receiver: string;
  /** Label names to group by; ignored when `groupByAll` (`group_by: ['...']`). */
  groupBy: string[];
  groupByAll: boolean;
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  /** Sorted by name, then value: the order the group key is printed in. */
  matchers: Matcher[];
  continue: boolean;
  routes: RouteConfig[];
  muteTimeIntervals: string[];
  activeTimeIntervals: string[];
}

export interface InhibitRuleConfig {
  sourceMatchers: Matcher[];
  targetMatchers: Matcher[];
  equal: string[];
}

export interface WebhookConfig {
  kind: 'webhook';
  sendResolved: boolean;
  url: string;
  maxAlerts: number;
  httpConfig: HttpConfig;
}

export interface SlackConfig {
  kind: 'slack';
  sendResolved: boolean;
  apiUrl: string;
  channel: string;
  username: string;
  title: string;
  titleLink: string;
  text: string;
  iconEmoji: string;
  iconUrl: string;
  color: string;
  httpConfig: HttpConfig;
}

export interface PagerdutyConfig {
  kind: 'pagerduty';
  sendResolved: boolean;
  routingKey: string;
  url: string;
  client: string;
  clientUrl: string;
  description: string;
  severity: string;
  class: string;
  component: string;
  group: string;
  details: Record<string, string>;
  httpConfig: HttpConfig;
}

export interface EmailConfig {
  kind: 'email';
  sendResolved: boolean;
  to: string;
  from: string;
  smarthost: string;
  hello: string;
  authUsername?: string;
  authPassword?: string;
  requireTls: boolean;
  headers: Record<string, string>;
  html: string;
  text: string;
}

export type IntegrationConfig = WebhookConfig | SlackConfig | PagerdutyConfig | EmailConfig;

export interface ReceiverConfig {
  name: string;
  integrations: IntegrationConfig[];
}

/** Inclusive ranges; minutes of the day are half-open `[start, end)`. */
export interface TimeIntervalSpec {
  times: { startMinute: number; endMinute: number }[];
  /** 0 = Sunday. */
  weekdays: { begin: number; end: number }[];
  /** Negative values count from the end of the month (-1 = last day). */
  daysOfMonth: { begin: number; end: number }[];
  /** 1 = January. */
  months: { begin: number; end: number }[];
  years: { begin: number; end: number }[];
  /** IANA zone name; 'UTC' by default. */
  location: string;
}

export interface TimeIntervalConfig {
  name: string;
  intervals: TimeIntervalSpec[];
}

export interface AlertmanagerConfig {
  global: GlobalConfig;
  route: RouteConfig;
  inhibitRules: InhibitRuleConfig[];
  receivers: ReceiverConfig[];
  timeIntervals: TimeIntervalConfig[];
  /** Template names (or globs over names) from the tenant's uploaded templates; never paths. */
  templates: string[];
}
