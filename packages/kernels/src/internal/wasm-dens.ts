/**
 * Hand-assembled WebAssembly SIMD (f32x4) for the gated candidate score of the DENS sampler
 * (R. Lai et al., "Disentangled Negative Sampling for Collaborative Filtering", WSDM 2023; the
 * reference code's `dise_negative_sampling`): per negative slot t, layer l and candidate c,
 *   score = Σ_d eu[d]·ec[d]·(w − σ(zc[d] + q[d])),   σ(z) = 1 / (1 + exp(−z)),
 * one module per embedding size `dim` (a multiple of 4; rows fully unrolled).
 *
 * Numerics — NOT bit-identical to the JS loop it replaces: wasm has no exp instruction, so exp is
 * the single-precision Cephes `expf` (S. L. Moshier, Cephes Math Library 2.2: range reduction by
 * ln 2 split in two constants, a degree-5 polynomial, 2ⁿ built in the exponent bits; the argument is
 * clamped to [−87.3, 88.3], so σ saturates at 0 / 1 a little early), everything in float32 with
 * a four-lane accumulator. Scores differ from the float64 JS ones by ~1e-6 relative, so a pick can
 * change where two candidates' scores are that close (docs/results.md shows training metrics over
 * three seeds).
 *
 * `densScores(eu, ec, zc, q, nT, k, N, L, w, out)`: user rows at ((⌊t/k⌋·L + l)·dim) of eu and q,
 * candidate rows at (((t·N + c)·L + l)·dim) of ec and zc, out[(t·L + l)·N + c] (float32).
 */
import {
  F32, I32, V128, ADD, MUL, F32_ADD,
  assembleModule, f32c, f32x4Add, f32x4Div, f32x4ExtractLane, f32x4Mul, f32x4Splat, f32x4Sub, f32Store,
  forPtr, get, i32c, set, simd, v128Load, v128Zero,
  I32_DIV_U,
} from './wasm-asm.ts';
import type { Code, WasmFunction, WasmMemory } from './wasm-asm.ts';
import { createPerDimInstances } from './per-dim-instances.ts';

const f32x4Neg = simd(0xe1);
const f32x4Min = simd(0xe8);
const f32x4Max = simd(0xe9);
const f32x4Nearest = simd(0x6a);
const i32x4TruncSatF32x4S = simd(0xf8);
const i32x4Add = simd(0xae);
const i32x4Shl = simd(0xab);
const i32x4Splat = simd(0x11);

/** Cephes expf constants. */
const EXP_HI = 88.3;
const EXP_LO = -87.3;
const LOG2E = 1.44269504088896341;
const C1 = 0.693359375;
const C2 = -2.12194440e-4;
const P = [1.9875691500e-4, 1.3981999507e-3, 8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1];

function densScoresFunction(dim: number): WasmFunction {
  const EU = 0, EC = 1, ZC = 2, Q = 3, NT = 4, K = 5, N = 6, L = 7, W = 8, OUT = 9;
  const T = 10, LL = 11, C = 12, UO = 13, CO = 14, OP = 15, BL = 16;
  // v128 locals
  const ACC = 17, X = 18, FX = 19, Y = 20, WV = 21, HI = 22, LO = 23, LG = 24, K1 = 25, K2 = 26, ONE = 27;
  const PV = [28, 29, 30, 31, 32, 33];
  const rowBytes = dim * 4;
  const consts: Code = [
    get(W), f32x4Splat, set(WV),
    f32c(EXP_HI), f32x4Splat, set(HI),
    f32c(EXP_LO), f32x4Splat, set(LO),
    f32c(LOG2E), f32x4Splat, set(LG),
    f32c(C1), f32x4Splat, set(K1),
    f32c(C2), f32x4Splat, set(K2),
    f32c(1), f32x4Splat, set(ONE),
    P.map((p, i) => [f32c(p), f32x4Splat, set(PV[i]!)]),
  ];
  /** exp of the vector in X, left on the stack. */
  const expX: Code = [
    get(X), get(LO), f32x4Max, get(HI), f32x4Min, set(X),
    get(X), get(LG), f32x4Mul, f32x4Nearest, set(FX),
    get(X), get(FX), get(K1), f32x4Mul, f32x4Sub, get(FX), get(K2), f32x4Mul, f32x4Sub, set(X),
    get(PV[0]!), PV.slice(1).map((p) => [get(X), f32x4Mul, get(p), f32x4Add]), set(Y),
    // y = y·x² + x + 1
    get(Y), get(X), get(X), f32x4Mul, f32x4Mul, get(X), f32x4Add, get(ONE), f32x4Add,
    // · 2ⁿ
    get(FX), i32x4TruncSatF32x4S, i32c(127), i32x4Splat, i32x4Add, i32c(23), i32x4Shl,
    f32x4Mul,
  ];
  const cand: Code[] = [
    // CO = ((T·N + C)·L + LL)·rowBytes
    get(T), get(N), MUL, get(C), ADD, get(L), MUL, get(LL), ADD, i32c(rowBytes), MUL, set(CO),
    v128Zero, set(ACC),
  ];
  for (let j = 0; j < dim / 4; j++) {
    const o = 16 * j;
    cand.push(
      get(ZC), get(CO), ADD, v128Load(o), get(Q), get(UO), ADD, v128Load(o), f32x4Add, f32x4Neg, set(X),
      get(ACC),
      get(EU), get(UO), ADD, v128Load(o), get(EC), get(CO), ADD, v128Load(o), f32x4Mul,
      get(WV), get(ONE), get(ONE), expX, f32x4Add, f32x4Div, f32x4Sub,
      f32x4Mul, f32x4Add, set(ACC),
    );
  }
  cand.push(
    get(OP),
    get(ACC), f32x4ExtractLane(0), get(ACC), f32x4ExtractLane(1), F32_ADD,
    get(ACC), f32x4ExtractLane(2), get(ACC), f32x4ExtractLane(3), F32_ADD,
    F32_ADD, f32Store(0),
    get(OP), i32c(4), ADD, set(OP),
  );
  const layer: Code = [
    get(BL), get(LL), ADD, i32c(rowBytes), MUL, set(UO),
    i32c(0), set(C),
    forPtr(C, N, 1, cand),
  ];
  const slot: Code = [
    get(T), get(K), I32_DIV_U, get(L), MUL, set(BL),
    i32c(0), set(LL),
    forPtr(LL, L, 1, layer),
  ];
  return {
    exportName: 'densScores',
    params: [I32, I32, I32, I32, I32, I32, I32, I32, F32, I32],
    results: [],
    locals: [[7, I32], [17, V128]],
    code: [consts, get(OUT), set(OP), i32c(0), set(T), forPtr(T, NT, 1, slot)],
  };
}

export type DensScoresFn = (eu: number, ec: number, zc: number, q: number, nT: number, k: number, N: number, L: number, w: number, out: number) => void;

export function densModuleBytes(dim: number, maxPages: number): Uint8Array {
  return assembleModule({ shared: true, maxPages }, [densScoresFunction(dim)]);
}

const densInstances = createPerDimInstances(densModuleBytes, (exports) => exports['densScores'] as DensScoresFn);

/** The gated-score kernel for rows of `dim` floats over `memory`, or null (dim not a multiple of 4 or > 1024, or no wasm SIMD). */
export function densScoresExport(memory: WasmMemory, dim: number, maxPages: number): DensScoresFn | null {
  if (!Number.isInteger(dim) || dim <= 0 || dim % 4 !== 0 || dim > 1024) return null;
  return densInstances(memory, dim, maxPages);
}
