import { describe, expect, it } from 'vitest';
import { parseJudgments } from './parse-judgments.ts';

describe('parseJudgments', () => {
  it('parses strict JSON', () => {
    const r = parseJudgments('{"judgments":[{"index":0,"label":"positive"},{"index":1,"label":"negative"}]}', 2);
    expect(r).toEqual({ labels: ['positive', 'negative'], method: 'json', ignored: 0 });
  });

  it('strips code fences and prose, accepts the paper shape (item_id) and a bare array', () => {
    const r = parseJudgments('Sure!\n```json\n[{"item_id": 1, "label": "Positive"}, {"item_id": "0", "label": "not positive"}]\n```\nDone.', 2);
    expect(r.labels).toEqual(['negative', 'positive']);
  });

  it('repairs single quotes, unquoted keys and trailing commas', () => {
    const r = parseJudgments("{judgments: [{'index': 0, 'label': 'positive'}, {index: 2, label: 'negative'},],}", 3);
    expect(r.method).toBe('repaired');
    expect(r.labels).toEqual(['positive', null, 'negative']);
  });

  it('repairs a truncated array, keeping the complete entries', () => {
    const r = parseJudgments('{"judgments":[{"index":0,"label":"negative"},{"index":1,"label":"positive"},{"index":2,"lab', 3);
    expect(r.method).toBe('repaired');
    expect(r.labels).toEqual(['negative', 'positive', null]);
  });

  it('falls back to a regex when the JSON is beyond repair', () => {
    const r = parseJudgments('index: 1 => label = positive; and index: 0 has label: negative {{{', 2);
    expect(r.method).toBe('regex');
    expect(r.labels).toEqual(['negative', 'positive']);
    expect(parseJudgments('[0] positive\n[1] negative', 2).labels).toEqual(['positive', 'negative']);
  });

  it('ignores non-candidate indices and duplicates, and accepts an index→label map', () => {
    const r = parseJudgments('{"judgments":[{"index":5,"label":"positive"},{"index":0,"label":"negative"},{"index":0,"label":"positive"},{"index":-1,"label":"positive"}]}', 2);
    expect(r.labels).toEqual(['negative', null]);
    expect(r.ignored).toBe(3);
    expect(parseJudgments('{"0":"yes","1":"no"}', 2).labels).toEqual(['positive', 'negative']);
  });

  it('reports none for text without judgments', () => {
    const r = parseJudgments('Once upon a time there was a little dog.', 3);
    expect(r.method).toBe('none');
    expect(r.labels).toEqual([null, null, null]);
  });
});
