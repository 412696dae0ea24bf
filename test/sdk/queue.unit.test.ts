// The tracker's buffer: order, the cap's eviction policy, and batches within count and byte limits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { byteLength, EventQueue, isImportant } from '../../sdk/src/queue.js';
import type { LearnpulseEvent } from '../../sdk/src/types.js';

let n = 0;
const ev = (type = 'heartbeat', extra: Partial<LearnpulseEvent> = {}): LearnpulseEvent => ({
  id: `00000000-0000-7000-8000-${String(++n).padStart(12, '0')}`,
  type,
  occurredAt: '2026-05-01T10:00:00.000Z',
  ...extra,
});
const never = () => false;

describe('EventQueue', () => {
  it('keeps events in order, ignores an id already there, removes by id', () => {
    const q = new EventQueue(10);
    const [a, b, c] = [ev(), ev(), ev()];
    for (const e of [a, b, c, a]) q.add(e);
    assert.equal(q.size, 3);
    assert.deepEqual(q.remove([b.id, 'missing']), [b]);
    assert.deepEqual(
      q.all().map((e) => e.id),
      [a.id, c.id],
    );
  });

  it('past the cap evicts the oldest unimportant event, and important ones only when nothing else is left', () => {
    const q = new EventQueue(3);
    const done = ev('lesson_complete', { itemId: 'l1' });
    const h1 = ev();
    const quiz = ev('quiz_submit');
    const h2 = ev();
    q.add(done);
    q.add(h1);
    q.add(quiz);
    assert.deepEqual(q.add(h2), [h1], 'the oldest heartbeat goes, not the older completion');
    assert.deepEqual(q.add(ev('certification_issued')), [h2]);
    assert.deepEqual(q.add(ev('lesson_complete')), [done], 'all important: the oldest goes');
    assert.equal(q.size, 3);
  });

  it('counts completions, submissions and a video’s last heartbeat as important', () => {
    for (const t of ['lesson_complete', 'quiz_submit', 'assignment_submit', 'certification_issued'])
      assert.ok(isImportant(ev(t)), t);
    assert.ok(isImportant(ev('video_heartbeat', { data: { ended: true } })));
    assert.ok(!isImportant(ev('video_heartbeat', { data: { positionSec: 3 } })));
    assert.ok(!isImportant(ev('course_visit')));
  });

  it('batches the oldest events within the count and byte limits, skipping those asked', () => {
    const q = new EventQueue(100);
    const events = Array.from({ length: 10 }, () => ev('x-note', { data: { text: 'é'.repeat(100) } }));
    for (const e of events) q.add(e);
    const byCount = q.batch(4, 1e6, never)!;
    assert.deepEqual(
      byCount.events.map((e) => e.id),
      events.slice(0, 4).map((e) => e.id),
    );
    assert.deepEqual(JSON.parse(byCount.body), { events: events.slice(0, 4) });
    const one = byteLength(JSON.stringify(events[0]));
    const byBytes = q.batch(100, 13 + 3 * (one + 1), never)!;
    assert.equal(byBytes.events.length, 3, 'UTF-8 bytes are counted, not characters');
    assert.ok(byteLength(byBytes.body) <= 13 + 3 * (one + 1));
    const skipped = q.batch(2, 1e6, (id) => id === events[0]!.id)!;
    assert.deepEqual(
      skipped.events.map((e) => e.id),
      [events[1]!.id, events[2]!.id],
    );
    assert.equal(q.batch(5, 10, never)!.events.length, 1, 'one event is always taken, however large');
    assert.equal(new EventQueue(5).batch(5, 1e6, never), undefined);
  });

  it('stamps events at batch time without changing the stored ones', () => {
    const q = new EventQueue(5);
    const e = ev();
    q.add(e);
    const b = q.batch(5, 1e6, never, (x) => ({ ...x, userId: 'u1' }))!;
    assert.equal(JSON.parse(b.body).events[0].userId, 'u1');
    assert.equal(q.all()[0]!.userId, undefined);
  });

  it('restores stored events before those tracked since', () => {
    const q = new EventQueue(3);
    const fresh = ev();
    q.add(fresh);
    const [old1, old2, old3] = [ev(), ev(), ev()];
    assert.deepEqual(q.restore([old1, old2, old3]), [old1], 'the cap still holds');
    assert.deepEqual(
      q.all().map((e) => e.id),
      [old2.id, old3.id, fresh.id],
    );
  });
});
