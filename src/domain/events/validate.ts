import type { TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { EVENT_REJECTION_CODES, type EventRejectionCode } from '../../errors/codes.js';
import {
  CUSTOM_TYPE_PATTERN,
  EVENT_TYPE_RULES,
  EventEnvelopeSchema,
  MAX_DATA_BYTES,
  MAX_DATA_DEPTH,
  VALUE_RANGES,
} from './schema.js';
import { isStorableText } from '../text.js';
import { isSupportedInstant } from '../time/range.js';
import type { LearningEvent } from './types.js';

// ajv-formats ships CommonJS with a default export property.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

export interface Rejection {
  code: EventRejectionCode;
  message: string;
}

export type ValidationResult = { ok: true; event: LearningEvent } | { ok: false; rejection: Rejection };

/** The index of the first played segment that is negative or reversed (overruns are clipped later, not refused). */
function badSegment(segments: readonly [number, number][] | undefined): number | undefined {
  const i = (segments ?? []).findIndex(([start, end]) => start < 0 || end < start);
  return i < 0 ? undefined : i;
}

const reject = (code: EventRejectionCode, detail?: string): ValidationResult => ({
  ok: false,
  rejection: {
    code,
    message: detail ? `${EVENT_REJECTION_CODES[code]}: ${detail}` : EVENT_REJECTION_CODES[code],
  },
});

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

interface Inspection {
  /** Where the first value PostgreSQL cannot store is, and what it is. */
  badPath?: string;
  bad?: 'text' | 'number';
  depth: number;
}

/**
 * Walks a value once: finds strings PostgreSQL cannot store (NUL, unpaired surrogates, in keys
 * too), numbers JSON cannot carry (1e999 parses to Infinity, which would be stored as null), and
 * how deep it nests.
 */
function inspect(value: unknown, path: string, depth: number): Inspection {
  if (typeof value === 'string') {
    return isStorableText(value) ? { depth } : { badPath: path, bad: 'text', depth };
  }
  if (typeof value === 'number')
    return Number.isFinite(value) ? { depth } : { badPath: path, bad: 'number', depth };
  if (typeof value !== 'object' || value === null) return { depth };
  // Deeper than any accepted event: stop before recursing (a hostile body nests 100,000 levels).
  if (depth > MAX_DATA_DEPTH + 1) return { depth };
  let max = depth;
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value as Record<string, unknown>);
  for (const [key, child] of entries) {
    if (!isStorableText(key)) return { badPath: `${path}.${key}`, bad: 'text', depth: max };
    const r = inspect(child, `${path}.${key}`, depth + 1);
    if (r.badPath) return r;
    if (r.depth > max) max = r.depth;
    if (max > MAX_DATA_DEPTH + 2) return { depth: max };
  }
  return { depth: max };
}

function field(err: ErrorObject): string {
  const path = err.instancePath.replace(/^\//, '').replaceAll('/', '.');
  return path;
}

function envelopeRejection(err: ErrorObject): ValidationResult {
  const at = field(err);
  switch (err.keyword) {
    case 'required':
      return reject('missing_field', String((err.params as { missingProperty: string }).missingProperty));
    case 'additionalProperties':
      return reject(
        'unknown_field',
        [at, (err.params as { additionalProperty: string }).additionalProperty].filter(Boolean).join('.'),
      );
    case 'format':
      if (at === 'id') return reject('invalid_uuid');
      if (at === 'occurredAt') return reject('invalid_timestamp');
      return reject('invalid_field', `${at} ${err.message}`);
    case 'maxLength':
      return reject('value_too_long', `${at} ${err.message}`);
    default:
      return reject('invalid_field', `${at} ${err.message}`);
  }
}

/**
 * Compiles the event schemas once and returns the per-event validator used by ingestion.
 * `actingUserId` is the learner the token belongs to; absent for API keys and admins, who must
 * name the user on every event.
 * @example
 *   const validate = createEventValidator();
 *   const r = validate({ id, type: 'course_visit', occurredAt, courseId: 'c1' }, 'u1');
 */
export function createEventValidator(): (raw: unknown, actingUserId?: string) => ValidationResult {
  const ajv = new Ajv({ allErrors: false, strict: true });
  addFormats(ajv, ['uuid', 'date-time']);
  const envelope = ajv.compile(EventEnvelopeSchema);
  const dataValidators = new Map<string, ValidateFunction>();
  for (const [type, rule] of Object.entries(EVENT_TYPE_RULES)) {
    if (rule.data) dataValidators.set(type, ajv.compile(rule.data as TSchema));
  }

  return (raw, actingUserId) => {
    if (!isPlainObject(raw)) return reject('invalid_event');
    const inspected = inspect(raw, '', 0);
    if (inspected.badPath) {
      const at = inspected.badPath.slice(1);
      return inspected.bad === 'number'
        ? reject('invalid_field', `${at} is not a finite number`)
        : reject('invalid_characters', at);
    }
    // The envelope itself has depth 2 (event → device/data → field); data adds the rest.
    if (inspected.depth > MAX_DATA_DEPTH + 1)
      return reject('data_too_deep', `at most ${MAX_DATA_DEPTH} levels`);
    if (!envelope(raw)) return envelopeRejection(envelope.errors![0]!);
    const e = raw as unknown as LearningEvent;

    const time = Date.parse(e.occurredAt);
    if (!isSupportedInstant(time)) {
      return reject('invalid_timestamp', 'must be between 1900 and 9999');
    }
    const rule = Object.hasOwn(EVENT_TYPE_RULES, e.type) ? EVENT_TYPE_RULES[e.type] : undefined;
    if (!rule && !CUSTOM_TYPE_PATTERN.test(e.type)) return reject('unknown_event_type', e.type);
    if (e.value !== undefined && !Number.isFinite(e.value)) return reject('invalid_field', 'value');
    if (e.data !== undefined && Buffer.byteLength(JSON.stringify(e.data)) > MAX_DATA_BYTES) {
      return reject('data_too_large', `at most ${MAX_DATA_BYTES} bytes`);
    }
    if (rule) {
      for (const name of rule.requires ?? []) {
        if ((e as unknown as Record<string, unknown>)[name] === undefined) {
          return reject('missing_field', `${name} is required for ${e.type}`);
        }
      }
      const validateData = dataValidators.get(e.type);
      if (validateData && !validateData(e.data ?? {})) {
        const err = validateData.errors![0]!;
        const at = ['data', field(err)].filter(Boolean).join('.');
        const extra =
          err.keyword === 'additionalProperties'
            ? ` ${(err.params as { additionalProperty: string }).additionalProperty}`
            : '';
        return reject('invalid_data', `${at} ${err.message}${extra}`);
      }
      if (e.type === 'video_heartbeat') {
        const bad = badSegment(e.data?.segments as [number, number][] | undefined);
        if (bad !== undefined) return reject('invalid_segment', `data.segments[${bad}]`);
      }
      const range = Object.hasOwn(VALUE_RANGES, e.type) ? VALUE_RANGES[e.type] : undefined;
      if (range && e.value !== undefined && (e.value < range[0] || e.value > range[1])) {
        return reject('invalid_field', `value must be from ${range[0]} to ${range[1]} for ${e.type}`);
      }
    }

    const userId = actingUserId ?? e.userId;
    if (userId === undefined) return reject('missing_user');
    return {
      ok: true,
      event: {
        // ajv-formats' uuid also accepts the RFC 4122 URN form, which PostgreSQL's uuid type does not.
        id: e.id.toLowerCase().replace(/^urn:uuid:/, ''),
        type: e.type,
        occurredAt: new Date(time).toISOString(),
        userId,
        courseId: e.courseId,
        itemId: e.itemId,
        liveSessionId: e.liveSessionId,
        clientSessionId: e.clientSessionId,
        device: e.device,
        value: e.value,
        data: e.data,
      },
    };
  };
}
