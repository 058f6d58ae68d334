import { Worker, MessageChannel } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { DtlError } from '@dtl/core';
import type { WeightedCsr } from '@dtl/core';
import { spmmRowsKernel, spmmRowsSource } from './internal/spmm-rows.ts';
import { adamDenseRange } from './adam.ts';
import type { AdamHyper } from './adam.ts';
import { arenaOf } from './wasm-arena.ts';
import type { WasmArena } from './wasm-arena.ts';
import { adamStepConstants, wasmAdamDense, wasmSpmm, wasmSpmmRows } from './internal/wasm-kernels.ts';
import { baseExports, compiledModule, dimExports, dimKey } from './internal/wasm-kernel-module.ts';

/**
 * A team of threads that runs data-parallel kernels **synchronously**: the calling thread does its
 * share and blocks (Atomics.wait) until the helpers finish theirs. Training steps are synchronous
 * (`CfModel.trainStep`), so the async worker pool does not fit there; this does, with ~10 µs of
 * hand-off instead of a message round trip.
 *
 * How: every helper is a worker thread parked in `Atomics.wait` on a shared control word. Typed
 * arrays must be backed by SharedArrayBuffers; each view (buffer, offset, length) is sent to the
 * helpers once (over a MessagePort drained synchronously with `receiveMessageOnPort`) and then named
 * by a number. The
 * helpers' code is generated from the same kernel sources the calling thread runs, so results are
 * identical whatever the split: every output element is computed by exactly one thread, in the
 * same order. (Bit-exactness across thread counts therefore holds for these kernels.)
 *
 * WebAssembly path: when every array of a call lies in one {@link WasmArena} (`wasm-arena.ts`), the
 * team runs the wasm SIMD kernels of `internal/wasm-kernels.ts` instead — each helper instantiates the same
 * compiled module on the arena's shared memory (both sent once over the port) and is handed byte
 * offsets, so nothing is copied. Those kernels are float32 and equally split-independent, so the
 * result is bit-identical to `wasmSpmm` / `wasmAdamDense` on one thread. Arrays outside an arena
 * take the JS path (and must then be backed by SharedArrayBuffers, as before).
 */
export interface SyncTeam {
  /** Threads including the caller. */
  readonly threads: number;
  /** Y = A·X, rows split by non-zeros across the team. */
  spmm(a: WeightedCsr, x: Float32Array, y: Float32Array, dim: number): void;
  /** Dense Adam over all elements (PyTorch semantics, see `adam.ts`), split across the team. */
  adamDense(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, h: AdamHyper, t: number): void;
  /** Ends the helper threads. Idempotent. */
  close(): void;
}

export interface SyncTeamOptions {
  /** Threads including the caller; default min(2, cores). 1 runs everything on the caller. */
  readonly threads?: number;
}

const OP_EXIT = 1;
const OP_SPMM = 2;
const OP_ADAM = 3;
const OP_WASM_SPMM = 4;
const OP_WASM_ADAM = 5;
// Control words (Int32): 0 = command sequence, 1 = completions, 2 = op, 3 = dim, 4..7 = buffer ids
// (wasm ops: 4 = arena id), 8..15 = per-helper [start, end) ranges, 16 = ready count,
// 17..19 = more buffer ids, 20..24 = wasm byte offsets.
const CTRL_INTS = 32;
const PTR = 20;

function workerSource(): string {
  return `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { ctrl: ctrlBuf, params: paramBuf, port, index } = workerData;
const ctrl = new Int32Array(ctrlBuf);
const params = new Float64Array(paramBuf);
const buffers = new Map();
const kernels = new Map();
const memories = new Map();
const wasmModules = new Map();
const wasmInstances = new Map();
const adamDenseRange = ${adamDenseRange.toString()};
function drain() {
  const msg = receiveMessageOnPort(port);
  if (!msg) return false;
  const m = msg.message;
  if (m.kernelDim !== undefined) kernels.set(m.kernelDim, new Function('indptr','indices','values','x','y','rowStart','rowEnd', m.source));
  else if (m.arenaId !== undefined) memories.set(m.arenaId, m.memory);
  else if (m.dropArena !== undefined) {
    memories.delete(m.dropArena);
    for (const key of [...wasmInstances.keys()]) if (key.startsWith(m.dropArena + '|')) wasmInstances.delete(key);
  }
  else if (m.moduleKey !== undefined) wasmModules.set(m.moduleKey, m.module);
  else buffers.set(m.id, m.type === 'i32' ? new Int32Array(m.buffer, m.byteOffset, m.length) : new Float32Array(m.buffer, m.byteOffset, m.length));
  return true;
}
function buf(id) {
  while (!buffers.has(id)) drain();
  return buffers.get(id);
}
function spmmKernel(dim) {
  while (!kernels.has(dim)) drain();
  return kernels.get(dim);
}
function wasm(arenaId, key) {
  const id = arenaId + '|' + key;
  let inst = wasmInstances.get(id);
  if (!inst) {
    while (!memories.has(arenaId) || !wasmModules.has(key)) drain();
    inst = new WebAssembly.Instance(wasmModules.get(key), { env: { mem: memories.get(arenaId) } }).exports;
    wasmInstances.set(id, inst);
  }
  return inst;
}
Atomics.add(ctrl, 16, 1);
Atomics.notify(ctrl, 16);
let seen = 0;
for (;;) {
  Atomics.wait(ctrl, 0, seen);
  seen = Atomics.load(ctrl, 0);
  const op = ctrl[2];
  if (op === ${OP_EXIT}) break;
  const start = ctrl[8 + 2 * index], end = ctrl[9 + 2 * index];
  if (op === ${OP_SPMM}) {
    spmmKernel(ctrl[3])(buf(ctrl[4]), buf(ctrl[5]), buf(ctrl[6]), buf(ctrl[7]), buf(ctrl[17]), start, end);
  } else if (op === ${OP_ADAM}) {
    adamDenseRange(buf(ctrl[4]), buf(ctrl[5]), buf(ctrl[6]), buf(ctrl[7]), { lr: params[0], beta1: params[1], beta2: params[2], eps: params[3] }, params[4], start, end);
  } else if (op === ${OP_WASM_SPMM}) {
    wasm(ctrl[4], 'dim:' + ctrl[3]).spmm(ctrl[${PTR}], ctrl[${PTR + 1}], ctrl[${PTR + 2}], ctrl[${PTR + 3}], ctrl[${PTR + 4}], start, end);
  } else if (op === ${OP_WASM_ADAM}) {
    wasm(ctrl[4], 'base').adam(ctrl[${PTR}], ctrl[${PTR + 1}], ctrl[${PTR + 2}], ctrl[${PTR + 3}], start, end, params[0], params[1], params[2], params[3], params[4], params[5], params[6]);
  }
  Atomics.add(ctrl, 1, 1);
  Atomics.notify(ctrl, 1);
}
`;
}

export function createSyncTeam(options: SyncTeamOptions = {}): SyncTeam {
  const threads = options.threads ?? Math.min(2, availableParallelism());
  if (!Number.isInteger(threads) || threads < 1) throw new DtlError('INVALID_ARGUMENT', `threads must be a positive integer, got ${threads}`);
  const helpers = threads - 1;
  const ctrl = new Int32Array(new SharedArrayBuffer(CTRL_INTS * 4));
  const params = new Float64Array(new SharedArrayBuffer(8 * 8));
  const ports: MessageChannel[] = [];
  const workers: Worker[] = [];
  const ids = new Map<SharedArrayBuffer, Map<string, number>>();
  let nextId = 1;
  let closed = false;
  let started = false;
  const splitCache = new WeakMap<Int32Array, Int32Array>();
  const sentKernels = new Set<number>();
  const arenaIds = new WeakMap<WasmArena, number>();
  let nextArenaId = 1;
  const sentModules = new Set<string>();
  // Tell the helpers to drop an arena's memory once the calling thread no longer references it.
  const dropped = new FinalizationRegistry<number>((id) => {
    if (closed) return;
    for (const ch of ports) ch.port1.postMessage({ dropArena: id });
  });

  /** Shares the arena's memory and module `key` with the helpers (once each); returns the arena id. */
  const wasmSetup = (arena: WasmArena, key: string): number => {
    let id = arenaIds.get(arena);
    if (id === undefined) {
      id = nextArenaId++;
      arenaIds.set(arena, id);
      dropped.register(arena, id);
      for (const ch of ports) ch.port1.postMessage({ arenaId: id, memory: arena.memory });
    }
    if (!sentModules.has(key)) {
      sentModules.add(key);
      const module = compiledModule(key);
      for (const ch of ports) ch.port1.postMessage({ moduleKey: key, module });
    }
    return id;
  };

  const start = (): void => {
    if (started) return;
    started = true;
    const source = workerSource();
    for (let h = 0; h < helpers; h++) {
      const channel = new MessageChannel();
      ports.push(channel);
      const worker = new Worker(source, {
        eval: true,
        workerData: { ctrl: ctrl.buffer, params: params.buffer, port: channel.port2, index: h },
        transferList: [channel.port2],
      });
      worker.unref();
      workers.push(worker);
    }
    while (Atomics.load(ctrl, 16) < helpers) Atomics.wait(ctrl, 16, Atomics.load(ctrl, 16), 1000);
  };

  const idOf = (arr: Float32Array | Int32Array): number => {
    const b = arr.buffer;
    if (!(b instanceof SharedArrayBuffer)) throw new DtlError('INVALID_ARGUMENT', 'sync team kernels need typed arrays backed by a SharedArrayBuffer');
    // A view is named by (buffer, offset, length, type); the helpers rebuild the same view.
    const type = arr instanceof Int32Array ? 'i32' : 'f32';
    const key = `${type}:${arr.byteOffset}:${arr.length}`;
    let views = ids.get(b);
    if (!views) {
      views = new Map();
      ids.set(b, views);
    }
    let id = views.get(key);
    if (id === undefined) {
      id = nextId++;
      views.set(key, id);
      for (const ch of ports) ch.port1.postMessage({ id, buffer: b, byteOffset: arr.byteOffset, length: arr.length, type });
    }
    return id;
  };

  const dispatch = (op: number, ranges: ArrayLike<number>, own: () => void): void => {
    for (let h = 0; h < helpers; h++) {
      ctrl[8 + 2 * h] = ranges[2 * (h + 1)]!;
      ctrl[9 + 2 * h] = ranges[2 * (h + 1) + 1]!;
    }
    ctrl[2] = op;
    const target = Atomics.load(ctrl, 1) + helpers;
    Atomics.add(ctrl, 0, 1);
    Atomics.notify(ctrl, 0);
    own();
    for (;;) {
      const done = Atomics.load(ctrl, 1);
      if (done >= target) break;
      Atomics.wait(ctrl, 1, done, 1000);
    }
  };

  /** Row ranges with about equal non-zeros per thread (cached per matrix). */
  const rowSplit = (a: WeightedCsr): Int32Array => {
    let split = splitCache.get(a.indptr);
    if (!split) {
      split = new Int32Array(threads * 2);
      const nnz = a.indptr[a.nRows]!;
      let row = 0;
      for (let t = 0; t < threads; t++) {
        split[2 * t] = row;
        const goal = Math.round(((t + 1) * nnz) / threads);
        while (row < a.nRows && (t === threads - 1 || a.indptr[row]! < goal)) row++;
        split[2 * t + 1] = t === threads - 1 ? a.nRows : row;
      }
      splitCache.set(a.indptr, split);
    }
    return split;
  };

  /** Equal ranges; inner boundaries rounded to `align` elements (no cache line shared by two threads). */
  const evenSplit = (n: number, align = 1): Int32Array => {
    const split = new Int32Array(threads * 2);
    const cut = (t: number): number => (t === threads ? n : Math.min(n, Math.round((t * n) / threads / align) * align));
    for (let t = 0; t < threads; t++) {
      split[2 * t] = cut(t);
      split[2 * t + 1] = cut(t + 1);
    }
    return split;
  };

  return {
    threads,
    spmm(a, x, y, dim) {
      if (closed) throw new DtlError('CANCELLED', 'sync team is closed');
      const arena = arenaOf(a.indptr, a.indices, a.values, x, y);
      if (arena && dimExports(arena.memory, dim)) {
        if (helpers === 0) {
          wasmSpmm(a, x, y, dim);
          return;
        }
        // Validates A, x and y once (the helpers trust the offsets).
        wasmSpmmRows(a, x, y, dim, 0, 0);
        start();
        const id = wasmSetup(arena, dimKey(dim));
        const split = rowSplit(a);
        ctrl[3] = dim;
        ctrl[4] = id;
        ctrl[PTR] = a.indptr.byteOffset;
        ctrl[PTR + 1] = a.indices.byteOffset;
        ctrl[PTR + 2] = a.values.byteOffset;
        ctrl[PTR + 3] = x.byteOffset;
        ctrl[PTR + 4] = y.byteOffset;
        dispatch(OP_WASM_SPMM, split, () => wasmSpmmRows(a, x, y, dim, split[0]!, split[1]!));
        return;
      }
      const kernel = spmmRowsKernel(dim);
      if (helpers === 0) {
        kernel(a.indptr, a.indices, a.values, x, y, 0, a.nRows);
        return;
      }
      start();
      if (!sentKernels.has(dim)) {
        sentKernels.add(dim);
        for (const ch of ports) ch.port1.postMessage({ kernelDim: dim, source: spmmRowsSource(dim) });
      }
      const split = rowSplit(a);
      ctrl[3] = dim;
      ctrl[4] = idOf(a.indptr);
      ctrl[5] = idOf(a.indices);
      ctrl[6] = idOf(a.values);
      ctrl[7] = idOf(x);
      ctrl[17] = idOf(y);
      dispatch(OP_SPMM, split, () => kernel(a.indptr, a.indices, a.values, x, y, split[0]!, split[1]!));
    },
    adamDense(p, g, m, v, h, t) {
      if (closed) throw new DtlError('CANCELLED', 'sync team is closed');
      const arena = arenaOf(p, g, m, v);
      if (arena && baseExports(arena.memory)) {
        if (helpers === 0) {
          wasmAdamDense(p, g, m, v, h, t);
          return;
        }
        if (g.length < p.length || m.length < p.length || v.length < p.length) throw new DtlError('INVALID_ARGUMENT', 'adamDense: g, m and v must be as long as p');
        start();
        ctrl[4] = wasmSetup(arena, 'base');
        ctrl[PTR] = p.byteOffset;
        ctrl[PTR + 1] = g.byteOffset;
        ctrl[PTR + 2] = m.byteOffset;
        ctrl[PTR + 3] = v.byteOffset;
        const constants = adamStepConstants(h, t);
        for (let i = 0; i < constants.length; i++) params[i] = constants[i]!;
        const split = evenSplit(p.length, 16);
        dispatch(OP_WASM_ADAM, split, () => wasmAdamDense(p, g, m, v, h, t, split[0]!, split[1]!));
        return;
      }
      if (helpers === 0) {
        adamDenseRange(p, g, m, v, h, t, 0, p.length);
        return;
      }
      start();
      const split = evenSplit(p.length);
      ctrl[4] = idOf(p);
      ctrl[5] = idOf(g);
      ctrl[6] = idOf(m);
      ctrl[7] = idOf(v);
      params[0] = h.lr;
      params[1] = h.beta1;
      params[2] = h.beta2;
      params[3] = h.eps;
      params[4] = t;
      dispatch(OP_ADAM, split, () => adamDenseRange(p, g, m, v, h, t, split[0]!, split[1]!));
    },
    close() {
      if (closed) return;
      closed = true;
      if (!started || helpers === 0) return;
      ctrl[2] = OP_EXIT;
      Atomics.add(ctrl, 0, 1);
      Atomics.notify(ctrl, 0);
      for (const w of workers) void w.terminate();
      for (const ch of ports) ch.port1.close();
    },
  };
}
