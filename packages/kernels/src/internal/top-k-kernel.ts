/**
 * Masked top-K over dense dot-product scores, for a range of users: score a block of users against
 * every item, overwrite masked entries with -Infinity, select each row's K best.
 *
 * Two scorers compute the same float32 block:
 * - `wasm`: the SIMD micro-kernel of `wasm-gemm.ts` (Goto & van de Geijn 2008 blocking: 32 users ×
 *   512 items per call so the item panel stays in L2); float32 accumulation. Selection then starts
 *   from a safe floor (the minimum of ≥ k group maxima, module's `groupFloor`) and skips
 *   4-item chunks below the floor / running threshold with the module's SIMD `collect`, so the JS
 *   heap sees ~1% of the scores (a heap admission costs ~60–100 ns here, the SIMD scan ~0.3 ns/score).
 * - `js`: register-blocked scalar loops (4 users × 2 items, 8 accumulators, the dim loop inner);
 *   accumulates in float64 and rounds once to float32.
 * Both are deterministic and independent of how users are split, so the worker-pool path and the
 * single-thread path return identical results for the same backend.
 *
 * Pure over typed arrays (no @dtl imports) so worker threads can run it.
 */
import { selectTopKRow, selectTopKRowCollect, maskRow, LIST_MAX } from './select-top-k.ts';
import { instantiateGemm, gemmModule, type CollectFn } from './wasm-gemm.ts';

export type ScoreBackend = 'wasm' | 'js';

export interface TopKRangeArgs {
  readonly users: Float32Array;
  readonly items: Float32Array;
  readonly dim: number;
  readonly nItems: number;
  readonly userIds: Int32Array;
  /** Positions `[start, end)` of `userIds` to process; output rows use the same positions. */
  readonly start: number;
  readonly end: number;
  readonly k: number;
  readonly maskIndptr?: Int32Array | undefined;
  readonly maskIndices?: Int32Array | undefined;
  readonly excludeIndptr?: Int32Array | undefined;
  readonly excludeIndices?: Int32Array | undefined;
  readonly outItems: Int32Array;
  readonly outScores: Float32Array;
  readonly backend: ScoreBackend;
}

/** Users per scored block (a multiple of 4). */
const USER_BLOCK = 32;
/** Item panels (of 8 items) per gemm call: 64 × 8 items × dim 64 × 4 B = 128 KiB, L2-resident. */
const PANEL_CHUNK = 64;

export function wasmAvailable(): boolean {
  return gemmModule() !== null;
}

export function topKRange(args: TopKRangeArgs): void {
  const { start, end, k } = args;
  if (end <= start) return;
  const heapS = new Float64Array(Math.max(1, k));
  const heapI = new Int32Array(Math.max(1, k));
  const scorer = args.backend === 'wasm' ? createWasmScorer(args) : null;
  const stride = scorer ? scorer.stride : args.nItems;
  const block = scorer ? scorer.block : new Float32Array(USER_BLOCK * stride);
  for (let b0 = start; b0 < end; b0 += USER_BLOCK) {
    const b1 = Math.min(end, b0 + USER_BLOCK);
    if (scorer) scorer.score(b0, b1);
    else scoreBlockJs(args, b0, b1, block, stride);
    for (let pos = b0; pos < b1; pos++) {
      const row = (pos - b0) * stride;
      const u = args.userIds[pos]!;
      if (args.maskIndptr && args.maskIndices) maskRow(block, row, args.nItems, args.maskIndptr, args.maskIndices, u);
      if (args.excludeIndptr && args.excludeIndices) {
        maskRow(block, row, args.nItems, args.excludeIndptr, args.excludeIndices, u);
      }
      if (scorer) {
        block.fill(-Infinity, row + args.nItems, row + stride);
        const rowByte = scorer.outByte + row * 4;
        const floor = scorer.floor(rowByte, k);
        selectTopKRowCollect(
          scorer.memory, scorer.words, rowByte, args.nItems, k,
          args.outItems, args.outScores, pos * k, heapS, heapI, scorer.collect, scorer.listByte, floor,
        );
      } else {
        selectTopKRow(block, row, args.nItems, k, args.outItems, args.outScores, pos * k, heapS, heapI);
      }
    }
  }
}

interface BlockScorer {
  readonly stride: number;
  readonly block: Float32Array;
  /** The whole wasm memory as floats, the block's byte address in it, and the SIMD pre-filter. */
  readonly memory: Float32Array;
  readonly words: Int32Array;
  readonly outByte: number;
  readonly listByte: number;
  readonly collect: CollectFn;
  /** A value at least k scores of the row reach (the module's `groupFloor`), or -Infinity. */
  floor(rowByte: number, k: number): number;
  score(b0: number, b1: number): void;
}

function createWasmScorer(args: TopKRangeArgs): BlockScorer | null {
  const { dim, nItems, items, users, userIds } = args;
  const nPanels = Math.ceil(nItems / 8);
  const stride = nPanels * 8;
  const userBytes = USER_BLOCK * dim * 4;
  const itemBytes = nPanels * 8 * dim * 4;
  const outBytes = USER_BLOCK * stride * 4;
  let wasm: ReturnType<typeof instantiateGemm>;
  try {
    wasm = instantiateGemm(userBytes + itemBytes + outBytes + (LIST_MAX + 1) * 4);
  } catch {
    wasm = null; // e.g. more than the 4 GiB a wasm32 memory can hold: use the JS scorer
  }
  if (wasm === null) return null;
  const mem = new Float32Array(wasm.memory.buffer);
  // Pack items: panel p, dimension d, lane c  ->  item 8p + c.
  const itBase = userBytes / 4;
  for (let i = 0; i < nItems; i++) {
    const p = i >> 3;
    const c = i & 7;
    const src = i * dim;
    const dst = itBase + p * dim * 8 + c;
    for (let d = 0; d < dim; d++) mem[dst + d * 8] = items[src + d]!;
  }
  const outBase = userBytes + itemBytes;
  const block = new Float32Array(wasm.memory.buffer, outBase, USER_BLOCK * stride);
  return {
    stride,
    block,
    memory: mem,
    words: new Int32Array(wasm.memory.buffer),
    outByte: outBase,
    listByte: outBase + outBytes,
    collect: wasm.collect,
    floor(rowByte, k) {
      // ≥ k groups of 8·pairs floats inside the row; groups never cover other rows.
      const pairs = Math.floor(stride / (8 * k));
      if (pairs < 1) return -Infinity;
      const f = wasm.groupFloor(rowByte, Math.floor(stride / (8 * pairs)), pairs);
      return f > -Infinity ? f : -Infinity; // NaN → no floor
    },
    score(b0, b1) {
      const n = b1 - b0;
      const nBlocks = Math.ceil(n / 4);
      // Pack users: block q, dimension d, lane r  ->  user position b0 + 4q + r (zero rows pad).
      mem.fill(0, 0, nBlocks * 4 * dim);
      for (let j = 0; j < n; j++) {
        const src = userIds[b0 + j]! * dim;
        const dst = (j >> 2) * dim * 4 + (j & 3);
        for (let d = 0; d < dim; d++) mem[dst + d * 4] = users[src + d]!;
      }
      for (let p0 = 0; p0 < nPanels; p0 += PANEL_CHUNK) {
        const np = Math.min(PANEL_CHUNK, nPanels - p0);
        wasm.gemm(0, nBlocks, userBytes + p0 * dim * 32, np, dim, outBase + p0 * 32, stride * 4);
      }
    },
  };
}

/** Scalar path: 4 users × 2 items register block, float64 accumulators, one float32 rounding. */
function scoreBlockJs(args: TopKRangeArgs, b0: number, b1: number, out: Float32Array, stride: number): void {
  const { users, items, dim, nItems, userIds } = args;
  let pos = b0;
  for (; pos + 4 <= b1; pos += 4) {
    const a0 = userIds[pos]! * dim;
    const a1 = userIds[pos + 1]! * dim;
    const a2 = userIds[pos + 2]! * dim;
    const a3 = userIds[pos + 3]! * dim;
    const o0 = (pos - b0) * stride;
    const o1 = o0 + stride;
    const o2 = o1 + stride;
    const o3 = o2 + stride;
    let i = 0;
    for (; i + 2 <= nItems; i += 2) {
      const b = i * dim;
      const c = b + dim;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, t0 = 0, t1 = 0, t2 = 0, t3 = 0;
      for (let d = 0; d < dim; d++) {
        const v = items[b + d]!;
        const w = items[c + d]!;
        const x0 = users[a0 + d]!;
        const x1 = users[a1 + d]!;
        const x2 = users[a2 + d]!;
        const x3 = users[a3 + d]!;
        s0 += x0 * v; s1 += x1 * v; s2 += x2 * v; s3 += x3 * v;
        t0 += x0 * w; t1 += x1 * w; t2 += x2 * w; t3 += x3 * w;
      }
      out[o0 + i] = s0; out[o1 + i] = s1; out[o2 + i] = s2; out[o3 + i] = s3;
      out[o0 + i + 1] = t0; out[o1 + i + 1] = t1; out[o2 + i + 1] = t2; out[o3 + i + 1] = t3;
    }
    for (; i < nItems; i++) {
      const b = i * dim;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let d = 0; d < dim; d++) {
        const v = items[b + d]!;
        s0 += users[a0 + d]! * v; s1 += users[a1 + d]! * v; s2 += users[a2 + d]! * v; s3 += users[a3 + d]! * v;
      }
      out[o0 + i] = s0; out[o1 + i] = s1; out[o2 + i] = s2; out[o3 + i] = s3;
    }
  }
  for (; pos < b1; pos++) {
    const a = userIds[pos]! * dim;
    const o = (pos - b0) * stride;
    for (let i = 0; i < nItems; i++) {
      const b = i * dim;
      let s = 0;
      for (let d = 0; d < dim; d++) s += users[a + d]! * items[b + d]!;
      out[o + i] = s;
    }
  }
}
