import { type Static, Type } from '@sinclair/typebox';
import { TenantIdParam } from './common.js';

/** Numbers, Prometheus duration strings for duration limits, lists of names for list limits. */
export const LimitValue = Type.Union([Type.Number(), Type.String(), Type.Array(Type.String())]);
export const LimitsView = Type.Object({
  tenantId: Type.String(),
  limits: Type.Record(Type.String(), LimitValue),
  overridden: Type.Array(Type.String()),
  defaults: Type.Record(Type.String(), LimitValue),
});
export type LimitsView = Static<typeof LimitsView>;
/** Keys and ranges are checked by the domain against limitSpecs, with messages naming the limit. */
export const LimitsPutBody = Type.Record(Type.String(), Type.Unknown(), {
  description:
    'limit key → number, Prometheus duration string for duration limits, list of names for list limits, or a name for otlp_translation_strategy',
});
export const LimitsPatchBody = Type.Record(Type.String(), Type.Unknown(), { description: 'as PUT; null unsets a key' });
export const LimitKeyParams = Type.Object({ id: TenantIdParam, key: Type.String({ minLength: 1, maxLength: 100 }) });

export const RuleGroup = Type.Object(
  {
    name: Type.String(),
    interval: Type.Optional(Type.String()),
    limit: Type.Optional(Type.Integer()),
    query_offset: Type.Optional(Type.String()),
    labels: Type.Optional(Type.Record(Type.String(), Type.String())),
    source_tenants: Type.Optional(
      Type.Array(Type.String(), { description: 'federated group: the tenants its queries read (Mimir)' }),
    ),
    rules: Type.Array(Type.Record(Type.String(), Type.Unknown())),
  },
  { description: 'Prometheus rule group' },
);
export type RuleGroup = Static<typeof RuleGroup>;
export const RuleNamespaces = Type.Object({ namespaces: Type.Record(Type.String(), Type.Array(RuleGroup)) });
export type RuleNamespaces = Static<typeof RuleNamespaces>;
export const RuleNamespace = Type.Object({ namespace: Type.String(), groups: Type.Array(RuleGroup) });
export type RuleNamespace = Static<typeof RuleNamespace>;
export const RuleNamespaceParams = Type.Object({
  id: TenantIdParam,
  namespace: Type.String({ minLength: 1, maxLength: 255 }),
});
export const RuleGroupParams = Type.Object({
  id: TenantIdParam,
  namespace: Type.String({ minLength: 1, maxLength: 255 }),
  group: Type.String({ minLength: 1, maxLength: 255 }),
});
/** JSON rule group, or its YAML text (Content-Type: application/yaml); validated in the domain. */
export const RuleGroupPutBody = Type.Union([
  Type.String({ description: 'rule group YAML' }),
  Type.Record(Type.String(), Type.Unknown()),
]);

export const AlertmanagerConfig = Type.Object({
  config: Type.String({ description: 'Alertmanager YAML' }),
  templates: Type.Record(Type.String(), Type.String()),
  revision: Type.Integer(),
});
export type AlertmanagerConfig = Static<typeof AlertmanagerConfig>;
export const AlertmanagerPutBody = Type.Union([
  Type.String({ description: 'raw Alertmanager YAML (Content-Type: application/yaml)' }),
  Type.Record(Type.String(), Type.Unknown(), { description: '{"config": "<yaml>", "templates": {name: text}}' }),
]);
