import { DtlError, sigmoidDirect } from '@dtl/core';
import { arenaOf, defaultWasmArena } from './wasm-arena.ts';
import type { WasmArena } from './wasm-arena.ts';
import { MAX_PAGES } from './internal/wasm-kernel-module.ts';
import { scoreExports } from './internal/wasm-score.ts';
import { densScoresExport } from './internal/wasm-dens.ts';

/**
 * Candidate scoring for two-pass negative samplers (draw candidates, score them with the model, pick):
 * `out[b·per + c] = ⟨U[users[b]], I[cand[b·per + c]]⟩` for the first `nPairs` pairs, accumulated in
 * float64 with four accumulators (elements t ≡ 0, 1, 2, 3 mod 4; the dim % 4 tail onto the first;
 * result (s0 + s1) + (s2 + s3)).
 *
 * Runs the WebAssembly SIMD kernel of `internal/wasm-score.ts` when `U` and `I` lie in one
 * {@link WasmArena} (a model built with the wasm kernels keeps its embeddings there), else the
 * typed-array JS loop below; both produce the same float64 bits, so a sampler picks the same
 * candidates on either path. `users` and `cand` are copied into a per-arena scratch list when they are
 * not in the arena already (O(nPairs·per), cheap next to the dot products), `out` is any Float64Array.
 *
 * Throws `INVALID_ARGUMENT` when a user or candidate row lies outside `U` / `I`. Measured (amazon-sports
 * shape, 2048 pairs × 10 candidates, dim 64, one thread): see docs/results.md, "Hard samplers in WebAssembly".
 */
export function gatherDotScores(
  users: Int32Array,
  cand: Int32Array,
  per: number,
  U: Float32Array,
  I: Float32Array,
  dim: number,
  out: Float64Array,
  nPairs: number = users.length,
): void {
  if (!Number.isInteger(dim) || dim <= 0) throw new DtlError('INVALID_ARGUMENT', `gatherDotScores: dim must be a positive integer, got ${dim}`);
  if (!Number.isInteger(per) || per < 0) throw new DtlError('INVALID_ARGUMENT', `gatherDotScores: per must be an integer ≥ 0, got ${per}`);
  if (!(Number.isInteger(nPairs) && nPairs >= 0 && nPairs <= users.length)) throw new DtlError('INVALID_ARGUMENT', `gatherDotScores: nPairs ${nPairs} outside 0..${users.length}`);
  const n = nPairs * per;
  if (cand.length < n || out.length < n) throw new DtlError('INVALID_ARGUMENT', `gatherDotScores: cand holds ${cand.length} and out ${out.length} entries, need ${n}`);
  const nU = Math.floor(U.length / dim);
  const nI = Math.floor(I.length / dim);
  const arena = n > 0 ? arenaOf(U, I) : undefined;
  const k = arena ? scoreExports(arena.memory, dim, MAX_PAGES) : null;
  if (!arena || !k) {
    checkRows('user', users, nPairs, nU);
    checkRows('candidate', cand, n, nI);
    gatherDotJs(users, cand, per, U, I, dim, out, nPairs);
    return;
  }
  const s = scratch(arena, nPairs, n);
  const u = inArena(arena, users, nPairs, s.users, nU, 'user');
  const c = inArena(arena, cand, n, s.cand, nI, 'candidate');
  const o = arena.owns(out) ? out : s.out;
  const row = rowScratch(arena, dim);
  k.gatherDot(u.byteOffset, c.byteOffset, per, nPairs, U.byteOffset, I.byteOffset, o.byteOffset, row.byteOffset);
  if (o !== out) out.set(o.subarray(0, n));
}

/** The typed-array JS kernel (the reference the wasm kernel reproduces bit for bit). */
export function gatherDotJs(users: Int32Array, cand: Int32Array, per: number, U: Float32Array, I: Float32Array, dim: number, out: Float64Array, nPairs: number = users.length): void {
  const d4 = dim - (dim % 4);
  for (let b = 0; b < nPairs; b++) {
    const uo = users[b]! * dim;
    const base = b * per;
    for (let c = 0; c < per; c++) {
      const io = cand[base + c]! * dim;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let t = 0;
      for (; t < d4; t += 4) {
        s0 += U[uo + t]! * I[io + t]!;
        s1 += U[uo + t + 1]! * I[io + t + 1]!;
        s2 += U[uo + t + 2]! * I[io + t + 2]!;
        s3 += U[uo + t + 3]! * I[io + t + 3]!;
      }
      for (; t < dim; t++) s0 += U[uo + t]! * I[io + t]!;
      out[base + c] = s0 + s1 + (s2 + s3);
    }
  }
}

/** Item codes packed into 32-bit keys (level d in the bits below 32 − bits·d), one per item, with their lengths. */
export interface PackedCodeView {
  readonly keys: Int32Array;
  readonly lens: Uint8Array;
  readonly bits: number;
  /** The view's weight α. */
  readonly alpha: number;
}

/**
 * The hierarchical-similarity bonus of the DTL sampler: for the first `nPairs` pairs and each of their
 * `per` candidates, `out[b·per + c] = (0 + α₁·sim₁(pos_b, j)) + α₂·sim₂(pos_b, j)` (j = cand[b·per + c],
 * float64, views in order, at most two) with the packed prefix similarity
 * sim(a, b) = min(⌊clz32(key_a ⊕ key_b) / bits⌋, n) / n, n = min(len_a, len_b) (0 when n = 0, 1 for equal
 * keys). WebAssembly in the process-wide arena (the keys are copied there once per array), JS where that
 * is unavailable; same bits either way.
 */
export function packedCodeBonus(positives: Int32Array, cand: Int32Array, per: number, views: readonly PackedCodeView[], out: Float64Array, nPairs: number = positives.length): void {
  if (views.length > 2) throw new DtlError('INVALID_ARGUMENT', `packedCodeBonus: at most 2 views, got ${views.length}`);
  const n = nPairs * per;
  if (cand.length < n || out.length < n || nPairs > positives.length) throw new DtlError('INVALID_ARGUMENT', `packedCodeBonus: arrays shorter than ${nPairs} pairs × ${per}`);
  for (const v of views) {
    if (!(Number.isInteger(v.bits) && v.bits >= 1 && v.bits <= 32) || v.lens.length < v.keys.length) throw new DtlError('INVALID_ARGUMENT', `packedCodeBonus: bad packed view (bits ${v.bits}, ${v.keys.length} keys, ${v.lens.length} lengths)`);
  }
  const nItems = Math.min(...views.map((v) => v.keys.length), 2 ** 31 - 1);
  const arena = n > 0 && views.length > 0 ? defaultWasmArena() : undefined;
  const k = arena ? scoreExports(arena.memory, 1, MAX_PAGES) : null;
  if (!arena || !k) {
    checkRows('positive', positives, nPairs, nItems, 'packedCodeBonus');
    checkRows('candidate', cand, n, nItems, 'packedCodeBonus');
    packedCodeBonusJs(positives, cand, per, views, out, nPairs);
    return;
  }
  const s = scratch(arena, nPairs, n);
  const p = inArena(arena, positives, nPairs, s.users, nItems, 'positive', 'packedCodeBonus');
  const c = inArena(arena, cand, n, s.cand, nItems, 'candidate', 'packedCodeBonus');
  const a = views[0] ? packedInArena(arena, views[0]) : undefined;
  const b = views[1] ? packedInArena(arena, views[1]) : undefined;
  k.codeBonus(
    p.byteOffset, c.byteOffset, per, nPairs,
    a ? a.keys.byteOffset : 0, a ? a.lens.byteOffset : 0, a ? views[0]!.bits : 1, a ? views[0]!.alpha : 0,
    b ? b.keys.byteOffset : 0, b ? b.lens.byteOffset : 0, b ? views[1]!.bits : 1, b ? views[1]!.alpha : 0,
    s.out.byteOffset,
  );
  out.set(s.out.subarray(0, n));
}

/** The JS version of {@link packedCodeBonus}. */
export function packedCodeBonusJs(positives: Int32Array, cand: Int32Array, per: number, views: readonly PackedCodeView[], out: Float64Array, nPairs: number = positives.length): void {
  for (let b = 0; b < nPairs; b++) {
    const p = positives[b]!;
    for (let c = b * per; c < b * per + per; c++) {
      const j = cand[c]!;
      let s = 0;
      for (const v of views) s += v.alpha * packedSim(v, p, j);
      out[c] = s;
    }
  }
}

function packedSim(v: PackedCodeView, a: number, b: number): number {
  const la = v.lens[a]!;
  const lb = v.lens[b]!;
  const n = la < lb ? la : lb;
  if (n === 0) return 0;
  const x = v.keys[a]! ^ v.keys[b]!;
  if (x === 0) return 1;
  const lcp = Math.floor(Math.clz32(x) / v.bits);
  return (lcp < n ? lcp : n) / n;
}

function checkRows(what: string, ids: Int32Array, count: number, nRows: number, who = 'gatherDotScores'): void {
  for (let t = 0; t < count; t++) {
    const r = ids[t]!;
    if (!(r >= 0 && r < nRows)) throw new DtlError('INVALID_ARGUMENT', `${who}: ${what} ${r} at ${t} outside 0..${nRows - 1}`);
  }
}

interface Scratch {
  users: Int32Array;
  cand: Int32Array;
  out: Float64Array;
}

const scratches = new WeakMap<WasmArena, Scratch>();
const rowScratches = new WeakMap<WasmArena, Float64Array>();

/** `dim` float64s in the arena for the kernel's promoted user row. */
function rowScratch(arena: WasmArena, dim: number): Float64Array {
  let r = rowScratches.get(arena);
  if (!r || r.length < dim) {
    r = f64(arena, Math.max(dim, 64));
    rowScratches.set(arena, r);
  }
  return r;
}

/** Per-arena scratch lists of at least `nPairs` / `n` entries (grown by doubling; arena memory is never freed). */
function scratch(arena: WasmArena, nPairs: number, n: number): Scratch {
  let s = scratches.get(arena);
  if (!s) {
    s = { users: arena.i32(1024), cand: arena.i32(1024), out: f64(arena, 1024) };
    scratches.set(arena, s);
  }
  if (s.users.length < nPairs) s.users = arena.i32(Math.max(nPairs, 2 * s.users.length));
  if (s.cand.length < n) s.cand = arena.i32(Math.max(n, 2 * s.cand.length));
  if (s.out.length < n) s.out = f64(arena, Math.max(n, 2 * s.out.length));
  return s;
}

function f64(arena: WasmArena, n: number): Float64Array {
  const v = arena.f32(2 * n); // 16-byte aligned
  return new Float64Array(v.buffer, v.byteOffset, n);
}

/** `ids[0..count)` checked against `nRows`, as an arena view (copied into `buf` when not in the arena). */
function inArena(arena: WasmArena, ids: Int32Array, count: number, buf: Int32Array, nRows: number, what: string, who = 'gatherDotScores'): Int32Array {
  const list = arena.owns(ids) ? ids : buf;
  if (list === buf) {
    for (let t = 0; t < count; t++) {
      const r = ids[t]!;
      if (!(r >= 0 && r < nRows)) throw new DtlError('INVALID_ARGUMENT', `${who}: ${what} ${r} at ${t} outside 0..${nRows - 1}`);
      buf[t] = r;
    }
  } else {
    checkRows(what, ids, count, nRows, who);
  }
  return list;
}

const packedCopies = new WeakMap<WasmArena, WeakMap<Int32Array, { keys: Int32Array; lens: Uint8Array }>>();

/** A view's keys and lengths in the arena, copied once per keys array (callers must not mutate them afterwards). */
function packedInArena(arena: WasmArena, v: PackedCodeView): { keys: Int32Array; lens: Uint8Array } {
  let m = packedCopies.get(arena);
  if (!m) {
    m = new WeakMap();
    packedCopies.set(arena, m);
  }
  let c = m.get(v.keys);
  if (!c) {
    const n = v.keys.length;
    const keys = arena.owns(v.keys) ? v.keys : arena.i32(n);
    if (keys !== v.keys) keys.set(v.keys);
    const raw = arena.i32(Math.ceil(n / 4));
    const lens = new Uint8Array(raw.buffer, raw.byteOffset, n);
    lens.set(v.lens.subarray(0, n));
    c = { keys, lens };
    m.set(v.keys, c);
  }
  return c;
}

const densOut = new WeakMap<WasmArena, Float32Array>();

/**
 * The gated candidate scores of the DENS sampler: for negative slot t < nT (pair ⌊t/k⌋), layer l < L
 * and candidate c < N, `out[(t·L + l)·N + c] = Σ_d eu[u]·ec[j]·(w − σ(zc[j] + q[u]))` with user rows
 * u = (⌊t/k⌋·L + l)·dim of `eu`/`q` and candidate rows j = ((t·N + c)·L + l)·dim of `ec`/`zc`.
 *
 * WebAssembly SIMD (`internal/wasm-dens.ts`: float32 with the Cephes expf approximation, scores
 * within ~1e-6 relative of the float64 ones, so near-ties can pick differently) when all six arrays
 * lie in one arena and dim is a multiple of 4; else the float64 JS loop ({@link densGatedScoresJs}).
 * `out` is any Float64Array (the wasm scores are float32 values).
 * Returns which path ran.
 */
export function densGatedScores(
  eu: Float32Array, ec: Float32Array, zc: Float32Array, q: Float32Array,
  nT: number, k: number, N: number, L: number, dim: number, w: number, out: Float64Array,
): 'wasm' | 'js' {
  for (const [key, v] of [['nT', nT], ['k', k], ['N', N], ['L', L], ['dim', dim]] as const) {
    if (!Number.isInteger(v) || v < (key === 'nT' ? 0 : 1)) throw new DtlError('INVALID_ARGUMENT', `densGatedScores: ${key} must be a positive integer, got ${v}`);
  }
  const nP = Math.ceil(nT / k) * L * dim;
  const nC = nT * N * L * dim;
  if (eu.length < nP || q.length < nP || ec.length < nC || zc.length < nC || out.length < nT * L * N) {
    throw new DtlError('INVALID_ARGUMENT', `densGatedScores: buffers shorter than ${nT} slots × ${L} layers × ${N} candidates × dim ${dim}`);
  }
  const arena = nT > 0 ? arenaOf(eu, ec, zc, q) : undefined;
  const fn = arena ? densScoresExport(arena.memory, dim, MAX_PAGES) : null;
  if (!arena || !fn) {
    densGatedScoresJs(eu, ec, zc, q, nT, k, N, L, dim, w, out);
    return 'js';
  }
  const n = nT * L * N;
  let buf = densOut.get(arena);
  if (!buf || buf.length < n) {
    buf = arena.f32(Math.max(n, 2 * (buf?.length ?? 0)));
    densOut.set(arena, buf);
  }
  fn(eu.byteOffset, ec.byteOffset, zc.byteOffset, q.byteOffset, nT, k, N, L, w, buf.byteOffset);
  for (let t = 0; t < n; t++) out[t] = buf[t]!;
  return 'wasm';
}

/** The float64 JS loop of {@link densGatedScores} (the DENS sampler's arithmetic before the wasm kernel). */
export function densGatedScoresJs(
  eu: Float32Array, ec: Float32Array, zc: Float32Array, q: Float32Array,
  nT: number, k: number, N: number, L: number, dim: number, w: number, out: Float64Array,
): void {
  for (let t = 0; t < nT; t++) {
    const b = Math.floor(t / k);
    for (let l = 0; l < L; l++) {
      const uo = (b * L + l) * dim;
      for (let c = 0; c < N; c++) {
        const o = ((t * N + c) * L + l) * dim;
        let s = 0;
        for (let d = 0; d < dim; d++) s += eu[uo + d]! * ec[o + d]! * (w - sigmoidDirect(zc[o + d]! + q[uo + d]!));
        out[(t * L + l) * N + c] = s;
      }
    }
  }
}
