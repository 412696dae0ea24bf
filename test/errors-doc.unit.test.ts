import assert from 'node:assert/strict';
import fs from 'node:fs';
import { it } from 'node:test';
import { ERROR_CODES, EVENT_REJECTION_CODES } from '../src/errors/codes.js';

/** Rows of a markdown table section: the first column's `code`, and the second column. */
function rows(markdown: string, heading: string): Map<string, string> {
  const section = markdown.split(/^## /m).find((s) => s.startsWith(heading)) ?? '';
  const out = new Map<string, string>();
  for (const m of section.matchAll(/^\| `([a-z_]+)` \| ([^|]+) \|/gm)) out.set(m[1]!, m[2]!.trim());
  return out;
}

it('documents every error code with its status, and nothing else', () => {
  const doc = fs.readFileSync('docs/errors.md', 'utf8');
  const requestErrors = rows(doc, 'Request errors');
  assert.deepEqual([...requestErrors.keys()].sort(), Object.keys(ERROR_CODES).sort());
  for (const [code, { status }] of Object.entries(ERROR_CODES))
    assert.equal(requestErrors.get(code), String(status), code);
  assert.deepEqual(
    [...rows(doc, 'Event rejections').keys()].sort(),
    Object.keys(EVENT_REJECTION_CODES).sort(),
  );
});
