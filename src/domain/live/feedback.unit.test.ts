import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { feedbackThemes, isQuestion, MAX_THEMES, MIN_THEME_COMMENTS, themeWords } from './feedback.js';

describe('themeWords', () => {
  it('lower-cases, drops English stop words, numbers and short Latin words, once per comment', () => {
    // "The" "and" "was" "very" are stop words; "ok" and "go" are under 3 letters; "42" is no word.
    assert.deepEqual(themeWords('The demo was very GOOD and the demo, ok, go 42 times'), [
      'demo',
      'good',
      'times',
    ]);
    assert.deepEqual(themeWords(''), []);
    assert.deepEqual(themeWords('!!! ... 123'), []);
  });

  it("drops a possessive 's, straight or curly", () => {
    assert.deepEqual(themeWords("Lecturer's pace; the lecturer’s slides"), ['lecturer', 'pace', 'slides']);
  });

  it('splits Chinese and Japanese text into words, and keeps short non-Latin words', () => {
    // 讲得很好，例子很清楚 → 讲 / 得 / 很好 / 例子 / 很 / 清楚 (one-character words stay: not Latin).
    const zh = themeWords('讲得很好，例子很清楚');
    assert.ok(zh.includes('例子') && zh.includes('很好') && zh.includes('清楚'), zh.join(' '));
    assert.ok(!zh.includes('讲得很好，例子很清楚'));
    const ja = themeWords('説明が分かりやすい');
    assert.ok(ja.includes('説明'), ja.join(' '));
    // Cyrillic: lower-cased; a two-letter word stays (the short-word rule is for Latin only).
    assert.deepEqual(themeWords('Да, Очень понятно'), ['да', 'очень', 'понятно']);
  });
});

describe('feedbackThemes', () => {
  it('reports words from at least two comments, most first, then alphabetically', () => {
    assert.equal(MIN_THEME_COMMENTS, 2);
    // great: 1, 3; pacing: 1, 2; examples: 3, 4, 5; fast: 2 only; "too" is a stop word.
    const themes = feedbackThemes([
      'Great pacing',
      'pacing too fast',
      'great examples',
      'More examples please',
      'examples!',
    ]);
    assert.deepEqual(themes, [
      { term: 'examples', comments: 3 },
      { term: 'great', comments: 2 },
      { term: 'pacing', comments: 2 },
    ]);
  });

  it('counts a word once per comment', () => {
    // "great" three times in one comment and once in another: 2 comments, not 4.
    assert.deepEqual(feedbackThemes(['great great great', 'great']), [{ term: 'great', comments: 2 }]);
    // Repeated in one comment only: no theme.
    assert.deepEqual(feedbackThemes(['slides slides slides', 'audio']), []);
  });

  it('ignores stop words even when every comment has them', () => {
    assert.deepEqual(feedbackThemes(['the and of', 'the and of', 'THE AND OF']), []);
  });

  it('keeps at most MAX_THEMES themes', () => {
    const words = Array.from({ length: MAX_THEMES + 3 }, (_, i) => `word${String.fromCharCode(97 + i)}`);
    const themes = feedbackThemes([words.join(' '), words.join(' ')]);
    assert.equal(themes.length, MAX_THEMES);
    assert.deepEqual(
      themes.map((t) => t.term),
      words.slice(0, MAX_THEMES),
    );
  });

  it('finds themes in Chinese, Japanese and Cyrillic comments', () => {
    // 例子 and 很好 in both Chinese comments; 例 (U+4F8B) sorts before 很 (U+5F88).
    const zh = feedbackThemes(['讲得很好，例子很清楚', '例子很好']);
    assert.deepEqual(zh, [
      { term: '例子', comments: 2 },
      { term: '很好', comments: 2 },
    ]);
    // 説明 in both Japanese comments (the particle が too: other languages' stop words stay).
    const ja = feedbackThemes(['説明が分かりやすい', '説明がよかった']);
    assert.ok(
      ja.some((t) => t.term === '説明' && t.comments === 2),
      JSON.stringify(ja),
    );
    // Cyrillic, case-folded: хорошие and примеры in both.
    assert.deepEqual(feedbackThemes(['Очень понятно, хорошие примеры', 'Примеры ХОРОШИЕ']), [
      { term: 'примеры', comments: 2 },
      { term: 'хорошие', comments: 2 },
    ]);
  });
});

describe('isQuestion', () => {
  it('takes the explicit flag over the text', () => {
    assert.equal(isQuestion({ text: 'Why?', isQuestion: false }), false);
    assert.equal(isQuestion({ text: 'I have a question', isQuestion: true }), true);
    assert.equal(isQuestion({ isQuestion: true }), true);
  });

  it('otherwise asks whether the text ends in a question mark, ASCII or full-width', () => {
    assert.equal(isQuestion({ text: 'Is this recorded?' }), true);
    assert.equal(isQuestion({ text: 'Is this recorded?  ' }), true);
    assert.equal(isQuestion({ text: 'これは録画されますか？' }), true);
    assert.equal(isQuestion({ text: '这个会录下来吗？ ' }), true);
    assert.equal(isQuestion({ text: 'What? No way.' }), false);
    assert.equal(isQuestion({ text: 'Thanks!' }), false);
    assert.equal(isQuestion({ text: '' }), false);
    assert.equal(isQuestion({}), false);
    assert.equal(isQuestion(undefined), false);
  });
});
