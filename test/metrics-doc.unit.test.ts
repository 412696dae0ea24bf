import assert from 'node:assert/strict';
import fs from 'node:fs';
import { it } from 'node:test';
import type { TSchema } from '@sinclair/typebox';
import * as analyticsSchemas from '../src/http/analytics-schemas.js';
import * as feedSchemas from '../src/http/feed-schemas.js';
import * as liveSchemas from '../src/http/live-schemas.js';
import * as videoSchemas from '../src/http/video-schemas.js';

const schemas = { ...analyticsSchemas, ...videoSchemas, ...liveSchemas, ...feedSchemas };

/** Every property name in a TypeBox schema, at any depth (objects, arrays, unions, composites). */
function fieldNames(schema: TSchema, out = new Set<string>()): Set<string> {
  const s = schema as Record<string, unknown>;
  for (const [name, sub] of Object.entries((s.properties as Record<string, TSchema>) ?? {})) {
    out.add(name);
    fieldNames(sub, out);
  }
  if (s.items) fieldNames(s.items as TSchema, out);
  for (const key of ['anyOf', 'allOf', 'oneOf'] as const) {
    for (const sub of (s[key] as TSchema[] | undefined) ?? []) fieldNames(sub, out);
  }
  return out;
}

it('defines in docs/metrics.md every figure the progress and analytics endpoints return', () => {
  const doc = fs.readFileSync('docs/metrics.md', 'utf8');
  const documented = new Set([...doc.matchAll(/`([A-Za-z0-9_]+)`/g)].map((m) => m[1]!));
  const missing = new Set<string>();
  for (const schema of Object.values(schemas)) {
    for (const name of fieldNames(schema as TSchema)) if (!documented.has(name)) missing.add(name);
  }
  assert.deepEqual([...missing].sort(), [], 'fields without a definition in docs/metrics.md');
});
