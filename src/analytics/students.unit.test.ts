// Searching the engagement table: by name or id, any case, accents ignored; blank finds all.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LearnerEngagement } from './roster.js';
import { searchStudents } from './students.js';

const learner = (userId: string, displayName: string) => ({ userId, displayName }) as LearnerEngagement;
const all = [learner('u-1', 'Zoë Lamarr'), learner('u-2', 'ZOE Park'), learner('abc-3', 'Ada Lovelace')];
const ids = (q: string | undefined) => searchStudents(all, q).map((l) => l.userId);

describe('searchStudents', () => {
  it('matches names and ids, ignoring case and accents', () => {
    assert.deepEqual(ids('zoe'), ['u-1', 'u-2']);
    assert.deepEqual(ids('ZOË'), ['u-1', 'u-2']);
    assert.deepEqual(ids('lama'), ['u-1']);
    assert.deepEqual(ids('abc'), ['abc-3']);
    assert.deepEqual(ids('nobody'), []);
  });

  it('a blank or absent query keeps everyone', () => {
    assert.deepEqual(ids(undefined), ['u-1', 'u-2', 'abc-3']);
    assert.deepEqual(ids('  '), ['u-1', 'u-2', 'abc-3']);
  });
});
