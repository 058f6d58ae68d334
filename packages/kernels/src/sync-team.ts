import { Worker, MessageChannel } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { DtlError } from '@dtl/core';
import type { WeightedCsr } from '@dtl/core';
import { spmmRowsKernel, spmmRowsSource } from './spmm.ts';
import { adamDenseRange } from './adam.ts';
import type { AdamHyper } from './adam.ts';

/**
 * A team of threads that runs data-parallel kernels **synchronously**: the calling thread does its
 * share and blocks (Atomics.wait) until the helpers finish theirs. Training steps are synchronous
 * (`CfModel.trainStep`), so the async worker pool does not fit there; this does, with ~10 µs of
 * hand-off instead of a message round trip.
 *
 * How: every helper is a worker thread parked in `Atomics.wait` on a shared control word. Typed
 * arrays must be backed by SharedArrayBuffers; each buffer is sent to the helpers once (over a
 * MessagePort drained synchronously with `receiveMessageOnPort`) and then named by a number. The
 * helpers' code is generated from the same kernel sources the calling thread runs, so results are
 * identical whatever the split: every output element is computed by exactly one thread, in the
 * same order. (Bit-exactness across thread counts therefore holds for these kernels.)
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
// Control words (Int32): 0 = command sequence, 1 = completions, 2 = op, 3 = dim, 4..7 = buffer ids,
// 8..15 = per-helper [start, end) ranges, 16 = ready count, 17..20 = more buffer ids.
const CTRL_INTS = 32;

function workerSource(): string {
  return `
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { ctrl: ctrlBuf, params: paramBuf, port, index } = workerData;
const ctrl = new Int32Array(ctrlBuf);
const params = new Float64Array(paramBuf);
const buffers = new Map();
const kernels = new Map();
const adamDenseRange = ${adamDenseRange.toString()};
function drain() {
  const msg = receiveMessageOnPort(port);
  if (!msg) return false;
  const m = msg.message;
  if (m.kernelDim !== undefined) kernels.set(m.kernelDim, new Function('indptr','indices','values','x','y','rowStart','rowEnd', m.source));
  else buffers.set(m.id, m.type === 'i32' ? new Int32Array(m.buffer) : new Float32Array(m.buffer));
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
  const ids = new Map<SharedArrayBuffer, number>();
  let nextId = 1;
  let closed = false;
  let started = false;
  const splitCache = new WeakMap<Int32Array, Int32Array>();
  const sentKernels = new Set<number>();

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
    if (arr.byteOffset !== 0 || arr.byteLength !== b.byteLength) throw new DtlError('INVALID_ARGUMENT', 'sync team kernels need whole-buffer typed arrays (no subarray views)');
    let id = ids.get(b);
    if (id === undefined) {
      id = nextId++;
      ids.set(b, id);
      for (const ch of ports) ch.port1.postMessage({ id, buffer: b, type: arr instanceof Int32Array ? 'i32' : 'f32' });
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

  const evenSplit = (n: number): Int32Array => {
    const split = new Int32Array(threads * 2);
    for (let t = 0; t < threads; t++) {
      split[2 * t] = Math.floor((t * n) / threads);
      split[2 * t + 1] = Math.floor(((t + 1) * n) / threads);
    }
    return split;
  };

  return {
    threads,
    spmm(a, x, y, dim) {
      if (closed) throw new DtlError('CANCELLED', 'sync team is closed');
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
