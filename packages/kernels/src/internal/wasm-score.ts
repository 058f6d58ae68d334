/**
 * Hand-assembled WebAssembly SIMD candidate scoring for the hard negative samplers (DNS, DNS(M,N),
 * AHNS, MixGCF, DTL): the gather + dot product ⟨U[user], I[candidate]⟩ of many (user, candidate)
 * pairs, one module per embedding size `dim` (rows fully unrolled, like the SpMM modules of
 * `wasm-kernel-module.ts`).
 *
 * Numerics — bit-identical to the typed-array JS kernel it replaces (`dot` of @dtl/sampler, four
 * float64 accumulators): a float32 × float32 product is exact in float64 (24 + 24 ≤ 53 mantissa bits),
 * so promoting both operands (`f64x2.promote_low_f32x4`) and multiplying in f64x2 gives the very
 * products JavaScript computes; lane 0 / 1 of the first accumulator are JS's s0 / s1 (elements
 * t ≡ 0, 1 mod 4), lanes of the second are s2 / s3, each summed in the same order; the scalar tail
 * (dim % 4 elements) goes to s0, and the result is (s0 + s1) + (s2 + s3) — JS's `s0 + s1 + (s2 + s3)`.
 * Every operation is one IEEE-754 double operation in both, so the scores (and the samplers' picks)
 * are equal bit for bit.
 *
 * Exports:
 * - `gatherDot(users, cand, per, nPairs, U, I, out, scratch)`: for b < nPairs and c < per,
 *   out[b·per + c] = ⟨U[users[b]], I[cand[b·per + c]]⟩ (int32 lists, float32 row-major tables,
 *   float64 output; pointers are byte offsets into the shared memory).
 * - `codeBonus(pos, cand, per, nPairs, keysA, lensA, bitsA, alphaA, keysB, lensB, bitsB, alphaB, out)`:
 *   the DTL code views, out[b·per + c] = (0 + αA·simA(pos_b, j)) + αB·simB(pos_b, j) with
 *   sim = min(⌊clz32(keyᵢ ⊕ keyⱼ)/bits⌋, n)/n, n = min(lenᵢ, lenⱼ) (0 when n = 0, 1 when the keys are
 *   equal) over packed 32-bit codes (see `packed-codes.ts` of @dtl/sampler); a view with α = 0 is
 *   skipped (keys pointer 0), exactly as the JS loop adds only the views it has.
 */
import {
  I32, V128, ADD, AND, EQ, MUL, SHL, F64_ADD, F64_PROMOTE_F32, ELSE, END, LT_U,
  assembleModule, f32Load, forPtr, get, i32c, i32Load, set, tee, v128Load, v128Store, v128Zero,
  F64, F64_MUL, F64_DIV, I32_DIV_U, f64Store, f64c, f64x2Mul, f64x2ExtractLane, load64Zero, highHalf, f64x2Add, f64x2PromoteLow,
} from './wasm-asm.ts';
import type { Code, WasmFunction, WasmMemory } from './wasm-asm.ts';
import { createPerDimInstances } from './per-dim-instances.ts';

const F64_CONVERT_I32_U = 0xb8;
const I32_CLZ = 0x67;
const I32_XOR = 0x73;
const SELECT = 0x1b;
const I32_LOAD8_U = (offset: number): number[] => [0x2d, 0, offset];

/** Candidates scored together (independent accumulator chains); a power of two. */
export const SCORE_GROUP = 2;

/** Largest embedding size with a generated module (larger dims use the JS kernel). */
export const SCORE_MAX_DIM = 1024;

/**
 * `gatherDot(users, cand, per, nPairs, U, I, out, scratch)`; `scratch` holds `dim` float64s (the
 * user row promoted once per pair, so each candidate costs one promote per two elements). Candidates
 * are scored {@link SCORE_GROUP} at a time (independent accumulator chains; 1, 2 and 4 measured the
 * same here), then the rest one by one.
 */
function gatherDotFunction(dim: number, group = SCORE_GROUP): WasmFunction {
  const USERS = 0, CAND = 1, PER = 2, NPAIRS = 3, U = 4, I = 5, OUT = 6, SCR = 7;
  const UP = 8, UE = 9, CP = 10, CE = 11, CE2 = 12, UR = 13, OP = 14;
  const IR = Array.from({ length: group }, (_, q) => 15 + q);
  const A01 = Array.from({ length: group }, (_, q) => 15 + group + q); // v128
  const A23 = Array.from({ length: group }, (_, q) => 15 + 2 * group + q);
  const UV = 15 + 3 * group;
  const S0 = UV + 1; // f64
  const rowBytes = dim * 4;
  const al = dim % 4 === 0 ? 4 : 2;
  const nVec = Math.floor(dim / 4);
  /** Scores `m` (1 or 2) consecutive candidates at CP, CP + 4. */
  const body = (m: number): Code => {
    const code: Code[] = [];
    for (let q = 0; q < m; q++) code.push(get(I), get(CP), i32Load(4 * q), i32c(rowBytes), MUL, ADD, set(IR[q]!), v128Zero, set(A01[q]!), v128Zero, set(A23[q]!));
    for (let j = 0; j < nVec; j++) {
      for (const [h, acc] of [[0, A01], [1, A23]] as const) {
        code.push(get(SCR), v128Load(32 * j + 16 * h, 4), set(UV));
        for (let q = 0; q < m; q++) {
          code.push(get(acc[q]!), get(UV), get(IR[q]!), load64Zero(16 * j + 8 * h), f64x2PromoteLow, f64x2Mul, f64x2Add, set(acc[q]!));
        }
      }
    }
    for (let q = 0; q < m; q++) {
      code.push(get(A01[q]!), f64x2ExtractLane(0), set(S0));
      for (let d = 4 * nVec; d < dim; d++) {
        code.push(get(S0), get(UR), f32Load(4 * d), F64_PROMOTE_F32, get(IR[q]!), f32Load(4 * d), F64_PROMOTE_F32, F64_MUL, F64_ADD, set(S0));
      }
      code.push(
        get(OP),
        get(S0), get(A01[q]!), f64x2ExtractLane(1), F64_ADD,
        get(A23[q]!), f64x2ExtractLane(0), get(A23[q]!), f64x2ExtractLane(1), F64_ADD,
        F64_ADD, f64Store(8 * q),
      );
    }
    code.push(get(OP), i32c(8 * m), ADD, set(OP));
    return code;
  };
  const promote: Code[] = [];
  for (let j = 0; j < nVec; j++) {
    promote.push(get(UR), v128Load(16 * j, al), set(UV));
    promote.push(get(SCR), get(UV), f64x2PromoteLow, v128Store(32 * j, 4));
    promote.push(get(SCR), get(UV), get(UV), highHalf, f64x2PromoteLow, v128Store(32 * j + 16, 4));
  }
  const pair: Code = [
    get(U), get(UP), i32Load(0), i32c(rowBytes), MUL, ADD, set(UR),
    promote,
    get(CP), get(PER), i32c(2), SHL, ADD, set(CE),
    get(CP), get(PER), i32c(-group), AND, i32c(2), SHL, ADD, set(CE2),
    forPtr(CP, CE2, 4 * group, body(group)),
    forPtr(CP, CE, 4, body(1)),
  ];
  return {
    exportName: 'gatherDot',
    params: [I32, I32, I32, I32, I32, I32, I32, I32],
    results: [],
    locals: [[7 + group, I32], [2 * group + 1, V128], [1, F64]],
    code: [
      get(USERS), set(UP), get(USERS), get(NPAIRS), i32c(2), SHL, ADD, set(UE),
      get(CAND), set(CP), get(OUT), set(OP),
      forPtr(UP, UE, 4, pair),
    ],
  };
}

/**
 * Pushes sim(P, J) of one view (keys/lens/bits at locals) as an f64: n = min(len_p, len_j);
 * n = 0 → 0; x = key_p ⊕ key_j = 0 → 1; else min(⌊clz(x)/bits⌋, n)/n.
 */
function simCode(keys: number, lens: number, bits: number, p: number, j: number, n: number, x: number, lcp: number): Code {
  return [
    // n = min(len[p], len[j])
    get(lens), get(p), ADD, I32_LOAD8_U(0), set(n),
    get(lens), get(j), ADD, I32_LOAD8_U(0), tee(lcp),
    get(n), get(lcp), get(n), LT_U, SELECT, set(n),
    get(n), i32c(0), EQ,
    [0x04, F64], // if (result f64)
    f64c(0),
    ELSE,
    get(keys), get(p), i32c(2), SHL, ADD, i32Load(0),
    get(keys), get(j), i32c(2), SHL, ADD, i32Load(0),
    I32_XOR, tee(x), i32c(0), EQ,
    [0x04, F64],
    f64c(1),
    ELSE,
    get(x), I32_CLZ, get(bits), I32_DIV_U, tee(lcp),
    get(n), get(lcp), get(n), LT_U, SELECT, F64_CONVERT_I32_U,
    get(n), F64_CONVERT_I32_U, F64_DIV,
    END,
    END,
  ];
}

function codeBonusFunction(): WasmFunction {
  const POS = 0, CAND = 1, PER = 2, NPAIRS = 3, KA = 4, LA = 5, BA = 6, AA = 7, KB = 8, LB = 9, BB = 10, AB = 11, OUT = 12;
  const PP = 13, PE = 14, CP = 15, CE = 16, P = 17, J = 18, N = 19, X = 20, LCP = 21, OP = 22;
  const S = 23; // f64
  const view = (keys: number, lens: number, bits: number, alpha: number): Code => [
    get(keys), i32c(0), EQ, [0x04, 0x40], ELSE,
    get(S), get(alpha), simCode(keys, lens, bits, P, J, N, X, LCP), F64_MUL, F64_ADD, set(S),
    END,
  ];
  const cand: Code = [
    get(CP), i32Load(0), set(J),
    f64c(0), set(S),
    view(KA, LA, BA, AA),
    view(KB, LB, BB, AB),
    get(OP), get(S), f64Store(0),
    get(OP), i32c(8), ADD, set(OP),
  ];
  const pair: Code = [
    get(PP), i32Load(0), set(P),
    get(CP), get(PER), i32c(2), SHL, ADD, set(CE),
    forPtr(CP, CE, 4, cand),
  ];
  return {
    exportName: 'codeBonus',
    params: [I32, I32, I32, I32, I32, I32, I32, F64, I32, I32, I32, F64, I32],
    results: [],
    locals: [[10, I32], [1, F64]],
    code: [
      get(POS), set(PP), get(POS), get(NPAIRS), i32c(2), SHL, ADD, set(PE),
      get(CAND), set(CP), get(OUT), set(OP),
      forPtr(PP, PE, 4, pair),
    ],
  };
}

export function scoreModuleBytes(dim: number, maxPages: number): Uint8Array {
  return assembleModule({ shared: true, maxPages }, [gatherDotFunction(dim), codeBonusFunction()]);
}

export type GatherDotFn = (users: number, cand: number, per: number, nPairs: number, u: number, i: number, out: number, scratch: number) => void;
export type CodeBonusFn = (
  pos: number, cand: number, per: number, nPairs: number,
  keysA: number, lensA: number, bitsA: number, alphaA: number,
  keysB: number, lensB: number, bitsB: number, alphaB: number,
  out: number,
) => void;

export interface ScoreExports {
  readonly gatherDot: GatherDotFn;
  readonly codeBonus: CodeBonusFn;
}

const scoreInstances = createPerDimInstances(scoreModuleBytes, (exports) => exports as unknown as ScoreExports);

/** The scoring kernels for rows of `dim` floats over `memory` (a shared arena memory), or null (JS then). */
export function scoreExports(memory: WasmMemory, dim: number, maxPages: number): ScoreExports | null {
  if (!Number.isInteger(dim) || dim <= 0 || dim > SCORE_MAX_DIM) return null;
  return scoreInstances(memory, dim, maxPages);
}
