import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { arenaOf, createWasmArena, defaultWasmArena, wasmKernelsSupported } from './wasm-arena.ts';

describe.runIf(wasmKernelsSupported())('createWasmArena', () => {
  it('hands out zero-filled, 16-byte aligned, non-overlapping views', () => {
    const arena = createWasmArena({ initialBytes: 1024 });
    const a = arena.f32(3);
    const b = arena.i32(5);
    const c = arena.f32(0);
    const d = arena.f32(7);
    for (const v of [a, b, c, d]) expect(v.byteOffset % 16).toBe(0);
    expect(b.byteOffset).toBeGreaterThanOrEqual(a.byteOffset + a.byteLength);
    expect(d.byteOffset).toBeGreaterThanOrEqual(b.byteOffset + b.byteLength);
    expect(Array.from(d)).toEqual(new Array(7).fill(0));
    a.fill(1);
    b.fill(-1);
    expect(Array.from(d)).toEqual(new Array(7).fill(0));
    expect(arena.usedBytes).toBe(d.byteOffset + d.byteLength);
  });

  it('keeps earlier views valid (same memory) when the memory grows', () => {
    const arena = createWasmArena({ initialBytes: 65536, maximumBytes: 64 << 20 });
    const first = arena.f32(1000);
    first.set(Array.from({ length: 1000 }, (_, i) => i * 0.5));
    const sizeBefore = arena.memory.buffer.byteLength;
    const big = arena.f32(1 << 20); // 4 MiB: forces growth
    expect(arena.memory.buffer.byteLength).toBeGreaterThan(sizeBefore);
    expect(first[999]).toBe(999 * 0.5);
    first[3] = 42;
    // A view made through the grown buffer sees the write made through the old one.
    const again = new Float32Array(arena.memory.buffer, first.byteOffset, first.length);
    expect(again[3]).toBe(42);
    big[big.length - 1] = 7;
    expect(arena.owns(first)).toBe(true);
    expect(arena.owns(big)).toBe(true);
    expect(arenaOf(first, big)).toBe(arena);
  });

  it('tells its own views from others', () => {
    const a = createWasmArena();
    const b = createWasmArena();
    const x = a.f32(4);
    const y = b.f32(4);
    expect(a.owns(x)).toBe(true);
    expect(a.owns(y)).toBe(false);
    expect(a.owns(new Float32Array(new SharedArrayBuffer(16)))).toBe(false);
    expect(arenaOf(x, y)).toBeUndefined();
    expect(arenaOf(x, new Float32Array(4))).toBeUndefined();
    expect(arenaOf(y)).toBe(b);
    expect(defaultWasmArena()).toBe(defaultWasmArena());
  });

  it('refuses to grow beyond its maximum with UNSUPPORTED', () => {
    const arena = createWasmArena({ initialBytes: 65536, maximumBytes: 131072 });
    arena.f32(16384);
    expect(() => arena.f32(40000)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
  });

  it('shares its memory with a worker thread', async () => {
    const arena = createWasmArena();
    const v = arena.f32(4);
    v[0] = 3;
    const worker = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       const f = new Float32Array(workerData.memory.buffer, workerData.offset, 4);
       f[2] = 5; parentPort.postMessage(f[0]);`,
      { eval: true, workerData: { memory: arena.memory, offset: v.byteOffset } },
    );
    const seen = await new Promise((resolve) => worker.once('message', resolve));
    await worker.terminate();
    expect(seen).toBe(3);
    expect(v[2]).toBe(5);
  });
});
