import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeOf, codebookFromPaths, createRng, csrFromPairs } from '@dtl/core';
import type { ItemTree } from '@dtl/core';
import {
  codebookFromTree,
  codebookStats,
  codeString,
  createDualCodebook,
  createTreeViewArtifact,
  createTreesArtifact,
  dualCodebookFromArtifact,
  formatCodeText,
  hashCsr,
  hashMatrix,
  historySimilarity,
  parseCode,
  parseCodeText,
  parseTreesArtifact,
  promptItemCodes,
  readCodeFile,
  readTreesArtifact,
  serializeTreesArtifact,
  writeCodeFile,
  writeTreesArtifact,
} from './index.ts';

// root → [leaf{2,0}, inner → [leaf{1}, leaf{4,3}], leaf{5}]
const tree: ItemTree = {
  nItems: 6,
  root: {
    kind: 'inner',
    children: [
      { kind: 'leaf', items: [2, 0] },
      { kind: 'inner', children: [{ kind: 'leaf', items: [1] }, { kind: 'leaf', items: [4, 3] }] },
      { kind: 'leaf', items: [5] },
    ],
  },
};

describe('codebookFromTree', () => {
  it('gives root→leaf child indices', () => {
    const cb = codebookFromTree(tree);
    expect(Array.from({ length: 6 }, (_, i) => codeString(cb, i))).toEqual(['0', '1-0', '0', '1-1', '1-1', '2']);
  });

  it('rejects items in two leaves, missing items and out-of-range items', () => {
    const dup: ItemTree = { nItems: 2, root: { kind: 'inner', children: [{ kind: 'leaf', items: [0, 1] }, { kind: 'leaf', items: [1] }] } };
    expect(() => codebookFromTree(dup)).toThrowError(expect.objectContaining({ code: 'INVALID_DATA' }));
    const missing: ItemTree = { nItems: 3, root: { kind: 'leaf', items: [0, 1] } };
    expect(() => codebookFromTree(missing)).toThrowError(/item\(s\) are in no leaf, e\.g\. 2/);
    const out: ItemTree = { nItems: 1, root: { kind: 'leaf', items: [0, 7] } };
    expect(() => codebookFromTree(out)).toThrowError(expect.objectContaining({ code: 'INVALID_DATA' }));
  });
});

describe('code text format', () => {
  it('round-trips through the authors’ format with an offset', () => {
    const cb = codebookFromTree(tree);
    const text = formatCodeText(cb, { offset: 15138 });
    expect(text.split('\n')[1]).toBe('15139: 1-0');
    const back = parseCodeText(text, { offset: 15138, nItems: 6 });
    expect(back.missing).toEqual([]);
    expect(back.codebook).toEqual(cb);
  });

  it('reads any line order and blank lines; round-trips through files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dtl-codes-'));
    const file = join(dir, 'codes.txt');
    writeFileSync(file, '12: 0-1\n\n10: 2-0-3\n11: 0\n');
    const { codebook } = readCodeFile(file, { offset: 10 });
    expect(codebook.nItems).toBe(3);
    expect(Array.from(codeOf(codebook, 0))).toEqual([2, 0, 3]);
    const out = join(dir, 'out.txt');
    writeCodeFile(out, codebook);
    expect(readCodeFile(out).codebook).toEqual(codebook);
  });

  it('reports bad lines with file:line', () => {
    expect(() => parseCodeText('0: 1-2\n1 1-2\n', { file: 'c.txt' })).toThrowError('c.txt:2: expected "item: c1-c2-...", got "1 1-2"');
    expect(() => parseCodeText('0: 1-x\n', { file: 'c.txt' })).toThrowError(/^c\.txt:1: code "1-x": part "x"/);
    expect(() => parseCodeText('0: 1\n0: 2\n', { file: 'c.txt' })).toThrowError(/c\.txt:2: item 0 appears twice/);
    expect(() => parseCodeText('5: 1\n', { file: 'c.txt', offset: 10 })).toThrowError(/c\.txt:1: item id 5 is below the offset 10/);
    expect(() => parseCodeText('3: 1\n', { file: 'c.txt', nItems: 3 })).toThrowError(expect.objectContaining({ code: 'INVALID_DATA' }));
  });

  it('accepts a leading byte-order mark and refuses code parts a codebook cannot hold (issue 16 classes 4, 3)', () => {
    const r = parseCodeText('\uFEFF0: 1-2\n1: 3\n', { file: 'c.txt' });
    expect(Array.from(codeOf(r.codebook, 0))).toEqual([1, 2]);
    expect(() => parseCodeText('0: 1-2147483648\n', { file: 'c.txt' })).toThrowError(/^c\.txt:1: code "1-2147483648": part "2147483648" is too large/);
    expect(() => parseCodeText('0: 99999999999999999999\n', { file: 'c.txt' })).toThrowError(expect.objectContaining({ code: 'INVALID_DATA' }));
    expect(Array.from(codeOf(parseCodeText('0: 2147483647\n').codebook, 0))).toEqual([2147483647]);
  });

  it('reports missing items, or lists them with allowMissing', () => {
    expect(() => parseCodeText('100: 1\n102: 0\n', { offset: 100, file: 'c.txt' })).toThrowError('c.txt: 1 of 3 items have no code, e.g. 101');
    const r = parseCodeText('100: 1\n102: 0\n', { offset: 100, nItems: 4, allowMissing: true });
    expect(r.missing).toEqual([1, 3]);
    expect(codeOf(r.codebook, 1).length).toBe(0);
  });

  it('parseCode parses compact codes', () => {
    expect(parseCode(' 0-12-3 ')).toEqual([0, 12, 3]);
    expect(parseCode('')).toEqual([]);
  });
});

describe('trees artifact', () => {
  const train = csrFromPairs(3, 6, [0, 0, 1, 2], [0, 2, 3, 4]).csr;
  const build = () => {
    const cb = codebookFromTree(tree);
    const view = createTreeViewArtifact({
      builder: { name: 'spectral-kmeans', params: { k: 4, leafSize: 30 } },
      inputHash: hashCsr(train),
      codebook: cb,
      info: { maxResidual: 1e-9 },
    });
    return { cb, artifact: createTreesArtifact({ co: view, se: view }, 7) };
  };

  it('round-trips through JSON and files, recording builder, params, input hash and stats', () => {
    const { cb, artifact } = build();
    const parsed = parseTreesArtifact(serializeTreesArtifact(artifact));
    expect(parsed).toEqual(artifact);
    expect(parsed.views.co?.builder).toBe('spectral-kmeans');
    expect(parsed.views.co?.params).toEqual({ k: 4, leafSize: 30 });
    expect(parsed.views.co?.inputHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(parsed.views.co?.stats.leaves).toBe(4);
    const dual = dualCodebookFromArtifact(parsed);
    expect(dual.co).toEqual(cb);
    const file = join(mkdtempSync(join(tmpdir(), 'dtl-art-')), 'trees.json');
    writeTreesArtifact(file, artifact);
    expect(readTreesArtifact(file)).toEqual(artifact);
  });

  it('rejects another version (UNSUPPORTED) and malformed codes (INVALID_DATA)', () => {
    const { artifact } = build();
    const v2 = serializeTreesArtifact({ ...artifact, version: 2 as 1 });
    expect(() => parseTreesArtifact(v2, 't.json')).toThrowError(expect.objectContaining({ code: 'UNSUPPORTED' }));
    const bad = JSON.parse(serializeTreesArtifact(artifact));
    bad.views.se.codes[1] = '1--2';
    expect(() => parseTreesArtifact(JSON.stringify(bad), 't.json')).toThrowError(/t\.json: views\.se\.codes\[1\]/);
    expect(() => parseTreesArtifact('{', 't.json')).toThrowError(expect.objectContaining({ code: 'INVALID_DATA' }));
  });

  it('dualCodebookFromArtifact needs both views', () => {
    const { artifact } = build();
    expect(() => dualCodebookFromArtifact(createTreesArtifact({ co: artifact.views.co }))).toThrowError(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('input hashes change with the input', () => {
    const other = csrFromPairs(3, 6, [0, 0, 1, 2], [0, 2, 3, 5]).csr;
    expect(hashCsr(train)).toBe(hashCsr(csrFromPairs(3, 6, [2, 0, 1, 0], [4, 0, 3, 2]).csr));
    expect(hashCsr(train)).not.toBe(hashCsr(other));
    const m = { rows: 2, dim: 2, data: Float32Array.from([1, 2, 3, 4]) };
    expect(hashMatrix(m)).not.toBe(hashMatrix({ ...m, data: Float32Array.from([1, 2, 3, 5]) }));
    expect(hashMatrix(m)).not.toBe(hashMatrix({ rows: 1, dim: 4, data: m.data }));
  });
});

describe('codebookStats', () => {
  it('gives depth, leaves (distinct paths) and leaf sizes', () => {
    const s = codebookStats(codebookFromTree(tree));
    expect(s).toEqual({ nItems: 6, depthMin: 1, depthMax: 2, depthMean: 9 / 6, leaves: 4, leafSizeMin: 1, leafSizeMedian: 1.5, leafSizeMax: 2 });
  });
});

describe('prompt codes and dual codebook', () => {
  it('serializes both views compactly per item', () => {
    const co = codebookFromTree(tree);
    const se = codebookFromPaths([[1], [0, 0], [3], [2, 1, 0], [0], [1]]);
    const dual = createDualCodebook(co, se);
    expect(promptItemCodes(dual, [3, 1])).toEqual([
      { item_id: 3, co_path: '1-1', se_path: '2-1-0' },
      { item_id: 1, co_path: '1-0', se_path: '0-0' },
    ]);
    expect(() => createDualCodebook(co, codebookFromPaths([[0]]))).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});

describe('historySimilarity', () => {
  it('is high when users’ items share codes and near the random level otherwise', () => {
    // Items 0..19 in two groups; each user holds items of one group only.
    const rows: number[] = [];
    const cols: number[] = [];
    for (let u = 0; u < 40; u++) for (let t = 0; t < 5; t++) rows.push(u), cols.push((u % 2) * 10 + ((u + t * 3) % 10));
    const train = csrFromPairs(40, 20, rows, cols).csr;
    const aligned = codebookFromPaths(Array.from({ length: 20 }, (_, i) => [i < 10 ? 0 : 1, i % 3]));
    const scrambled = codebookFromPaths(Array.from({ length: 20 }, (_, i) => [i % 2, i % 3]));
    const a = historySimilarity(aligned, train, createRng(1), { pairs: 5000 });
    const b = historySimilarity(scrambled, train, createRng(1), { pairs: 5000 });
    expect(a.sameUser).toBeGreaterThan(a.random + 0.3);
    expect(Math.abs(b.sameUser - b.random)).toBeLessThan(0.1);
  });
});
