import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createRng, csrFromPairs, isDtlError } from '@dtl/core';
import { createWorkerPool } from './worker-pool.ts';
import { topKMasked } from './top-k-masked.ts';
import { topKMaskedParallel } from './top-k-parallel.ts';
import { isShared, toSharedFloat32 } from './shared.ts';

describe('createWorkerPool', () => {
  it('runs tasks on up to `size` distinct worker threads and rejects after close()', async () => {
    const pool = createWorkerPool({ size: 2 });
    const ids = await Promise.all(Array.from({ length: 6 }, () => pool.run('ping', {})));
    expect(new Set(ids).size).toBeLessThanOrEqual(2);
    expect(ids.every((id) => id > 0)).toBe(true);
    await pool.close();
    await expect(pool.run('ping', {})).rejects.toSatisfy((e) => isDtlError(e, 'CANCELLED'));
  });

  it('turns an unknown task into a NOT_FOUND DtlError and keeps working', async () => {
    const pool = createWorkerPool({ size: 1 });
    try {
      await expect(pool.run('nope' as 'ping', {})).rejects.toSatisfy((e) => isDtlError(e, 'NOT_FOUND'));
      expect(await pool.run('ping', {})).toBeGreaterThan(0);
    } finally {
      await pool.close();
    }
  });

  it('topKMaskedParallel equals topKMasked exactly, for both backends', async () => {
    const rng = createRng(5);
    const dim = 24;
    const nUsers = 301;
    const nItems = 777;
    const users = Float32Array.from({ length: nUsers * dim }, () => rng.normal());
    const items = Float32Array.from({ length: nItems * dim }, () => rng.normal());
    const r: number[] = [];
    const c: number[] = [];
    for (let u = 0; u < nUsers; u++) for (let t = 0; t < 40; t++) { r.push(u); c.push(rng.int(nItems)); }
    const mask = csrFromPairs(nUsers, nItems, r, c).csr;
    const userIds = Int32Array.from({ length: 250 }, (_, j) => (j * 13) % nUsers);
    const pool = createWorkerPool({ size: 2 });
    try {
      for (const backend of ['wasm', 'js'] as const) {
        const single = topKMasked({ users, items, dim, userIds, k: 20, mask, backend });
        const par = await topKMaskedParallel(pool, { users, items, dim, userIds, k: 20, mask, backend }, { chunks: 5 });
        expect(isShared(par.items)).toBe(true);
        expect([...par.items]).toEqual([...single.items]);
        expect([...par.scores]).toEqual([...single.scores]);
      }
    } finally {
      await pool.close();
    }
  });

  it('toSharedFloat32 copies into a SharedArrayBuffer once', () => {
    const a = new Float32Array([1, 2]);
    const s = toSharedFloat32(a);
    expect(isShared(s)).toBe(true);
    expect(toSharedFloat32(s)).toBe(s);
    expect([...s]).toEqual([1, 2]);
  });

  it('loads the worker under plain `node --import tsx` and never keeps the process alive', () => {
    const script = fileURLToPath(new URL('./__tests__/pool-smoke.fixture.ts', import.meta.url));
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    for (const closeIt of ['close', 'forget']) {
      const res = spawnSync(process.execPath, ['--conditions=@dtl/source', '--import', 'tsx', script, closeIt], {
        cwd: root,
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(res.stderr).toBe('');
      expect(res.status).toBe(0);
      expect(res.stdout.trim()).toBe('ok 2');
    }
  });
});
