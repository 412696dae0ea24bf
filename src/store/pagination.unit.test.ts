import assert from 'node:assert/strict';
import { it } from 'node:test';
import { decodeCursor, encodeCursor, toPage } from './pagination.js';

it('round-trips keyset cursors and refuses forged ones', () => {
  assert.deepEqual(decodeCursor(encodeCursor([3, 'item-ü']), ['int', 'text']), [3, 'item-ü']);
  assert.equal(decodeCursor(undefined, ['text']), undefined);
  for (const bad of [
    '%%%',
    encodeCursor(['a', 'b']),
    Buffer.from('{"a":1}').toString('base64url'),
    encodeCursor([{} as never]),
  ]) {
    assert.throws(() => decodeCursor(bad, ['text']), { code: 'invalid_cursor' });
  }
  for (const bad of [encodeCursor(['x', 'y']), encodeCursor([1e20, 'y'])]) {
    assert.throws(() => decodeCursor(bad, ['int', 'text']), { code: 'invalid_cursor' });
  }
});

it('pages limit + 1 rows into a page and the last row’s cursor', () => {
  const page = toPage(
    [1, 2, 3],
    2,
    (n) => [n],
    (n) => n * 10,
  );
  assert.deepEqual(page.items, [10, 20]);
  assert.deepEqual(decodeCursor(page.nextCursor!, ['int']), [2]);
  assert.equal(
    toPage(
      [1, 2],
      2,
      (n) => [n],
      (n) => n,
    ).nextCursor,
    null,
  );
});
