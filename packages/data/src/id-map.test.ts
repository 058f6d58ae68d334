import { describe, expect, it } from 'vitest';
import { createIdMap } from './id-map.ts';
import { catchDtl } from './internal/test-files.ts';

describe('createIdMap', () => {
  it('assigns dense indices in first-seen order and maps back', () => {
    const m = createIdMap();
    expect(m.getOrAdd('b')).toBe(0);
    expect(m.getOrAdd('a')).toBe(1);
    expect(m.getOrAdd('b')).toBe(0);
    expect(m.get('a')).toBe(1);
    expect(m.get('zzz')).toBeUndefined();
    expect(m.size).toBe(2);
    expect(m.external(1)).toBe('a');
  });

  it('serializes through JSON and restores the same mapping', () => {
    const m = createIdMap();
    for (const id of ['u7', 'u3', 'x', 'u7']) m.getOrAdd(id);
    const restored = createIdMap(JSON.parse(JSON.stringify(m)) as string[]);
    expect(restored.size).toBe(3);
    for (const id of ['u7', 'u3', 'x']) expect(restored.get(id)).toBe(m.get(id));
    expect(restored.getOrAdd('new')).toBe(3);
  });

  it('rejects out-of-range indices and duplicate initial ids', () => {
    const m = createIdMap(['a']);
    expect(catchDtl(() => m.external(1), 'INVALID_ARGUMENT').message).toMatch(/index 1/);
    expect(catchDtl(() => m.external(-1), 'INVALID_ARGUMENT')).toBeTruthy();
    catchDtl(() => createIdMap(['a', 'a']), 'INVALID_ARGUMENT');
  });
});
