/**
 * Limit values between the form and the LimitValue message. An edited value is sent in the same
 * oneof case the server answered with (number, duration, or whatever other case the contract
 * grows), so the console needs no table of limit kinds; the server validates and explains.
 */
import { create } from '@bufbuild/protobuf';
import { type LimitValue, LimitValueSchema } from '../../gen/cortex/admin/v1/admin_pb.js';

// The oneof seen loosely: a case the console was built before is still shown and sent back.
type LooseKind = { case: string | undefined; value?: unknown };

/** The value as the form shows it: a number, a duration or name, or a list of names joined by commas. */
export function limitText(v: LimitValue | undefined): string {
  const k = v?.kind as LooseKind | undefined;
  if (k?.value === undefined) return '';
  if (typeof k.value === 'object' && k.value !== null && Array.isArray((k.value as { names?: unknown }).names)) {
    return (k.value as { names: string[] }).names.join(', ');
  }
  return String(k.value);
}

/** The oneof case of the value, to send an edit back in. */
export function limitCase(v: LimitValue | undefined): string | undefined {
  return (v?.kind as LooseKind | undefined)?.case;
}

/**
 * The message for an edited field. A numeric limit given something that is not a number goes as a
 * name: an enumerated limit takes it, any other answers with the server's message ("must be a
 * number"), which reaches the user rather than a guess of ours.
 */
export function limitValue(kindCase: string | undefined, text: string): LimitValue {
  const t = text.trim();
  let kind: LooseKind;
  if (kindCase === 'number') {
    // Enumerated limits answer with their number but are set by name (admin.proto LimitValue).
    kind = t !== '' && Number.isFinite(Number(t)) ? { case: 'number', value: Number(t) } : { case: 'name', value: t };
  } else if (kindCase === 'names') {
    const names = t === '' ? [] : t.split(',').map((s) => s.trim());
    kind = { case: 'names', value: { names } };
  } else {
    kind = { case: kindCase ?? 'duration', value: t };
  }
  return create(LimitValueSchema, { kind: kind as never });
}
