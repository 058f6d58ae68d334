import { DtlError } from '@dtl/core';
import { arenaOf } from './wasm-arena.ts';
import type { WasmArena } from './wasm-arena.ts';
import { MAX_PAGES } from './internal/wasm-kernel-module.ts';
import { pickExports } from './internal/wasm-pick.ts';

/**
 * Score-and-pick for the two-pass hard negative samplers, fused in WebAssembly SIMD
 * (`internal/wasm-pick.ts`): the candidates' ⟨U[user], I[candidate]⟩ (the float64 bits of
 * {@link gatherDotScores} / `gatherDotJs`) go straight into the pick, so no score array round-trips
 * through JS. Each function returns `true` when it ran, `false` (having done nothing) when `U` and `I`
 * are not in one wasm arena or the kernels are unavailable — the caller then runs its own JS loop,
 * which is the reference these kernels reproduce bit for bit (same IEEE double operations and
 * comparisons in the same order; see the kernel file).
 *
 * Layout: pair b < nPairs owns slots t = b·k + j (j < k); slot t owns candidates cand[t·N .. t·N + N).
 * Arrays outside the arena are copied into per-arena scratch (and `chosen` back); samplers that keep
 * their buffers in the model's arena (see {@link pickBuffers}) pay no copies. Throws `INVALID_ARGUMENT`
 * when a user, positive or candidate row lies outside `U` / `I`.
 */

/** DNS: chosen[t] = t·N + argmax_c score (the first candidate wins ties; a later one must be strictly greater). */
export function gatherDotArgmax(users: Int32Array, cand: Int32Array, N: number, k: number, U: Float32Array, I: Float32Array, dim: number, chosen: Int32Array, nPairs: number = users.length): boolean {
  const ctx = prepare('gatherDotArgmax', users, cand, N, k, U, I, dim, nPairs);
  if (!ctx) return false;
  const { arena, fns, s, u, c } = ctx;
  const nT = nPairs * k;
  const ch = bufI32(arena, s, 'chosen', chosen, nT, false);
  fns.argmax(u.byteOffset, c.byteOffset, N, k, nPairs, U.byteOffset, I.byteOffset, ch.byteOffset, s.urow.byteOffset);
  if (ch !== chosen) chosen.set(ch.subarray(0, nT));
  return true;
}

/** AHNS: chosen[t] = t·N + argmin_c |score − targets[b]| (first on ties; a later one must be strictly smaller). */
export function gatherDotArgminDistance(users: Int32Array, cand: Int32Array, N: number, k: number, U: Float32Array, I: Float32Array, dim: number, targets: Float64Array, chosen: Int32Array, nPairs: number = users.length): boolean {
  const ctx = prepare('gatherDotArgminDistance', users, cand, N, k, U, I, dim, nPairs);
  if (!ctx) return false;
  const { arena, fns, s, u, c } = ctx;
  const nT = nPairs * k;
  if (targets.length < nPairs) throw new DtlError('INVALID_ARGUMENT', `gatherDotArgminDistance: targets holds ${targets.length} entries, need ${nPairs}`);
  const tg = bufF64(arena, s, 'targets', targets, nPairs, true);
  const ch = bufI32(arena, s, 'chosen', chosen, nT, false);
  fns.argminDistance(u.byteOffset, c.byteOffset, N, k, nPairs, U.byteOffset, I.byteOffset, tg.byteOffset, ch.byteOffset, s.urow.byteOffset);
  if (ch !== chosen) chosen.set(ch.subarray(0, nT));
  return true;
}

/**
 * DNS(M,N): per slot t, the N best of its M candidates by score, best first, as local indices
 * (0..M) at tops[t·N ..] — the sampler's stable partial insertion sort (a candidate passes an entry
 * only when that entry's score is strictly smaller). Requires N ≤ M.
 */
export function gatherDotTopN(users: Int32Array, cand: Int32Array, M: number, k: number, U: Float32Array, I: Float32Array, dim: number, N: number, tops: Int32Array, nPairs: number = users.length): boolean {
  if (!(Number.isInteger(N) && N >= 1 && N <= M)) throw new DtlError('INVALID_ARGUMENT', `gatherDotTopN: N must be in 1..${M}, got ${N}`);
  const ctx = prepare('gatherDotTopN', users, cand, M, k, U, I, dim, nPairs);
  if (!ctx) return false;
  const { arena, fns, s, u, c } = ctx;
  const n = nPairs * k * N;
  if (tops.length < n) throw new DtlError('INVALID_ARGUMENT', `gatherDotTopN: tops holds ${tops.length} entries, need ${n}`);
  const tp = bufI32(arena, s, 'tops', tops, n, false);
  const srow = scratchF64(arena, s, 'srow', M);
  fns.topN(u.byteOffset, c.byteOffset, M, k, nPairs, U.byteOffset, I.byteOffset, N, tp.byteOffset, s.urow.byteOffset, srow.byteOffset);
  if (tp !== tops) tops.set(tp.subarray(0, n));
  return true;
}

/** Inputs of {@link gatherDotPickLayer}. */
export interface PickLayerArgs {
  readonly users: Int32Array;
  readonly positives: Int32Array;
  readonly cand: Int32Array;
  /** Candidates per slot. */
  readonly N: number;
  /** Slots per pair. */
  readonly k: number;
  readonly U: Float32Array;
  readonly I: Float32Array;
  readonly dim: number;
  /** a of (slot t, layer l) at alphas[t·nLayers + l]. */
  readonly alphas: Float64Array;
  readonly nLayers: number;
  readonly layer: number;
  readonly mix: boolean;
  readonly normalize: boolean;
  /** Added per candidate (cand's indexing), or null. */
  readonly bonus: Float64Array | null;
  /** Out: chosen[t·nLayers + layer] = t·N + best (other entries untouched). */
  readonly chosen: Int32Array;
  readonly nPairs?: number | undefined;
}

/**
 * One layer of the MixGCF / DTL pick: sp = mix ? ⟨u, I[pos_b]⟩ : 0; m_c = a·sp + (1 − a)·s_c; optional
 * min–max normalization over the slot's candidates; + bonus; argmax from −∞ (first on ties).
 */
export function gatherDotPickLayer(a: PickLayerArgs): boolean {
  const nPairs = a.nPairs ?? a.users.length;
  const ctx = prepare('gatherDotPickLayer', a.users, a.cand, a.N, a.k, a.U, a.I, a.dim, nPairs);
  if (!ctx) return false;
  const { arena, fns, s, u, c } = ctx;
  const L = a.nLayers;
  if (!(Number.isInteger(L) && L >= 1 && Number.isInteger(a.layer) && a.layer >= 0 && a.layer < L)) throw new DtlError('INVALID_ARGUMENT', `gatherDotPickLayer: layer ${a.layer} of ${L}`);
  const nT = nPairs * a.k;
  const nI = Math.floor(a.I.length / a.dim);
  if (a.positives.length < nPairs || a.alphas.length < nT * L || a.chosen.length < nT * L || (a.bonus !== null && a.bonus.length < nT * a.N)) {
    throw new DtlError('INVALID_ARGUMENT', `gatherDotPickLayer: positives, alphas, chosen or bonus shorter than ${nPairs} pairs × ${a.k} × ${L} layers`);
  }
  const p = rows(arena, s, 'pos', a.positives, nPairs, nI, 'positive', 'gatherDotPickLayer');
  const al = bufF64(arena, s, 'alphas', a.alphas, nT * L, true);
  const bo = a.bonus !== null ? bufF64(arena, s, 'bonus', a.bonus, nT * a.N, true) : undefined;
  const ch = bufI32(arena, s, 'chosen', a.chosen, nT * L, true);
  const mrow = scratchF64(arena, s, 'mrow', Math.max(a.N, 1));
  fns.pickLayer(
    u.byteOffset, p.byteOffset, c.byteOffset, a.N, a.k, nPairs, a.U.byteOffset, a.I.byteOffset,
    al.byteOffset, L, a.layer, a.mix ? 1 : 0, a.normalize ? 1 : 0, bo ? 1 : 0, bo ? bo.byteOffset : 0, ch.byteOffset, s.urow.byteOffset, mrow.byteOffset,
  );
  if (ch !== a.chosen) a.chosen.set(ch.subarray(0, nT * L));
  return true;
}

/**
 * Int32 / Float64 buffers in the arena of `U` (when there is one, else plain typed arrays) for samplers
 * that want their candidate / chosen / alpha / bonus lists where the kernels read them without copies.
 * Each `grow` returns `buf` when it is large enough and in the right place, else a new larger buffer
 * (arena memory is never freed: grow by doubling).
 */
export function pickBuffers(): { i32(buf: Int32Array, n: number, U: Float32Array): Int32Array; f64(buf: Float64Array, n: number, U: Float32Array): Float64Array } {
  return {
    i32(buf, n, U) {
      const arena = arenaOf(U);
      if (buf.length >= n && (arena === undefined ? arenaOf(buf) === undefined : arena.owns(buf))) return buf;
      const len = Math.max(n, buf.length * 2);
      return arena ? arena.i32(len) : new Int32Array(len);
    },
    f64(buf, n, U) {
      const arena = arenaOf(U);
      if (buf.length >= n && (arena === undefined ? arenaOf(buf) === undefined : arena.owns(buf))) return buf;
      const len = Math.max(n, buf.length * 2);
      if (!arena) return new Float64Array(len);
      const v = arena.f32(2 * len);
      return new Float64Array(v.buffer, v.byteOffset, len);
    },
  };
}

interface PickScratch {
  urow: Float64Array;
  named: Map<string, Int32Array | Float64Array>;
}

const scratches = new WeakMap<WasmArena, PickScratch>();

function prepare(who: string, users: Int32Array, cand: Int32Array, N: number, k: number, U: Float32Array, I: Float32Array, dim: number, nPairs: number) {
  if (!Number.isInteger(dim) || dim <= 0) throw new DtlError('INVALID_ARGUMENT', `${who}: dim must be a positive integer, got ${dim}`);
  if (!Number.isInteger(N) || N < 1 || !Number.isInteger(k) || k < 0) throw new DtlError('INVALID_ARGUMENT', `${who}: N must be ≥ 1 and k ≥ 0, got ${N} / ${k}`);
  if (!(Number.isInteger(nPairs) && nPairs >= 0 && nPairs <= users.length)) throw new DtlError('INVALID_ARGUMENT', `${who}: nPairs ${nPairs} outside 0..${users.length}`);
  const n = nPairs * k * N;
  if (cand.length < n) throw new DtlError('INVALID_ARGUMENT', `${who}: cand holds ${cand.length} entries, need ${n}`);
  if (n === 0) return undefined;
  const arena = arenaOf(U, I);
  const fns = arena ? pickExports(arena.memory, dim, MAX_PAGES) : null;
  if (!arena || !fns) return undefined;
  let s = scratches.get(arena);
  if (!s) {
    s = { urow: f64(arena, 64), named: new Map() };
    scratches.set(arena, s);
  }
  if (s.urow.length < dim) s.urow = f64(arena, dim);
  const nU = Math.floor(U.length / dim);
  const nI = Math.floor(I.length / dim);
  const u = rows(arena, s, 'users', users, nPairs, nU, 'user', who);
  const c = rows(arena, s, 'cand', cand, n, nI, 'candidate', who);
  return { arena, fns, s, u, c };
}

/** `ids[0..count)` checked against nRows, as an arena view: ids itself when in the arena, else copied into the scratch list `key`. */
function rows(arena: WasmArena, s: PickScratch, key: string, ids: Int32Array, count: number, nRows: number, what: string, who: string): Int32Array {
  const own = arena.owns(ids);
  let out = ids;
  if (!own) {
    let b = s.named.get(key) as Int32Array | undefined;
    if (!b || b.length < count) {
      b = arena.i32(Math.max(count, 2 * (b?.length ?? 512)));
      s.named.set(key, b);
    }
    out = b;
  }
  for (let t = 0; t < count; t++) {
    const r = ids[t]!;
    if (!(r >= 0 && r < nRows)) throw new DtlError('INVALID_ARGUMENT', `${who}: ${what} ${r} at ${t} outside 0..${nRows - 1}`);
    if (!own) out[t] = r;
  }
  return out;
}

function bufI32(arena: WasmArena, s: PickScratch, key: string, v: Int32Array, n: number, copyIn: boolean): Int32Array {
  if (arena.owns(v)) return v;
  let b = s.named.get(key) as Int32Array | undefined;
  if (!b || b.length < n) {
    b = arena.i32(Math.max(n, 2 * (b?.length ?? 512)));
    s.named.set(key, b);
  }
  if (copyIn) b.set(v.subarray(0, n));
  return b;
}

function bufF64(arena: WasmArena, s: PickScratch, key: string, v: Float64Array, n: number, copyIn: boolean): Float64Array {
  if (arena.owns(v)) return v;
  const b = scratchF64(arena, s, key, n);
  if (copyIn) b.set(v.subarray(0, n));
  return b;
}

function scratchF64(arena: WasmArena, s: PickScratch, key: string, n: number): Float64Array {
  let b = s.named.get(key) as Float64Array | undefined;
  if (!b || b.length < n) {
    b = f64(arena, Math.max(n, 2 * (b?.length ?? 512)));
    s.named.set(key, b);
  }
  return b;
}

function f64(arena: WasmArena, n: number): Float64Array {
  const v = arena.f32(2 * n); // 16-byte aligned
  return new Float64Array(v.buffer, v.byteOffset, n);
}
