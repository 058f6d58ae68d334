/**
 * Hand-assembled WebAssembly SIMD "score and pick" kernels for the hard negative samplers: the
 * gather + float64 dot of `wasm-score.ts` (`gatherDot`) fused with the pick that follows it, so a
 * batch's candidate scores never round-trip through a JS array and the per-slot pick loops run in wasm.
 * One module per embedding size `dim` (rows fully unrolled).
 *
 * Numerics — the same as `gatherDot` and its JS twin `gatherDotJs` bit for bit: the user row promoted
 * to float64 once per pair; per candidate two f64x2 accumulators whose lanes are JS's s0, s1 (elements
 * t ≡ 0, 1 mod 4) and s2, s3, the dim % 4 tail onto s0, result (s0 + s1) + (s2 + s3). The picks then
 * use the very IEEE double operations and comparisons of the samplers' JS loops, in the same order:
 *
 * - `argmax(users, cand, N, k, nPairs, U, I, chosen, urow)`: DNS. Per slot t (pair ⌊t/k⌋), the first
 *   candidate's score is the running best and a later one replaces it only if strictly greater;
 *   chosen[t] = t·N + best.
 * - `argminDistance(users, cand, N, k, nPairs, U, I, targets, chosen, urow)`: AHNS. As `argmax` with
 *   criterion |s − targets[b]| (float64 targets per pair) and strictly-less replacement.
 * - `topN(users, cand, M, k, nPairs, U, I, N, tops, urow, srow)`: DNS(M,N). Per slot, the sampler's
 *   stable partial insertion sort of the M scores (an entry is passed only when its score is strictly
 *   smaller); the N best local indices, best first, at tops[t·N ..] (`srow`: M float64s).
 * - `pickLayer(users, pos, cand, N, k, nPairs, U, I, alphas, L, l, mix, normalize, hasBonus, bonus, chosen,
 *   urow, mrow)`: one layer of `pickPerLayer` (MixGCF, DTL). sp = mix ? ⟨u, I[pos_b]⟩ : 0; per slot t with
 *   a = alphas[t·L + l]: m_c = a·sp + (1 − a)·s_c into `mrow`, running min/max (`m < min`, `m > max`
 *   from ±∞); inv = normalize && range > 0 ? 1/range : 0; s = normalize ? (m_c − min)·inv : m_c;
 *   s += bonus[t·N + c] when `hasBonus` ≠ 0; argmax from −∞ (first on ties); chosen[t·L + l] = t·N + best.
 *
 * All pointers are byte offsets into the shared arena memory: int32 lists, float32 row-major tables,
 * float64 `targets` / `alphas` / `bonus`, `urow` dim float64s, `mrow` N float64s.
 */
import {
  I32, V128, ADD, EQ, MUL, SHL, F64_ADD, F64_PROMOTE_F32, BLOCK, ELSE, END, IF, LOOP, LT_U,
  assembleModule, br, brIf, f32Load, forPtr, get, i32c, i32Load, set, tee, v128Load, v128Store, v128Zero,
  F64, F64_MUL, F64_DIV, f64Load, f64Store, f64c, f64x2Mul, f64x2ExtractLane, load64Zero, highHalf, f64x2Add, f64x2PromoteLow,
} from './wasm-asm.ts';
import type { Code, WasmFunction, WasmMemory } from './wasm-asm.ts';
import { createPerDimInstances } from './per-dim-instances.ts';

const F64_SUB = 0xa1;
const F64_ABS = 0x99;
const F64_LT = 0x63;
const F64_GT = 0x64;

/** Locals every kernel uses for the dot product (indices handed in by the caller). */
interface DotLocals {
  /** i32: the float32 user row (byte offset). */
  readonly ur: number;
  /** i32: the float64 promoted user row. */
  readonly urow: number;
  /** i32: the float32 item row. */
  readonly ir: number;
  /** v128 ×3: two accumulators and a user vector. */
  readonly a01: number;
  readonly a23: number;
  readonly uv: number;
  /** f64: s0. */
  readonly s0: number;
}

/** Promotes the user row at `ur` into `urow` (dim float64s). */
function promoteCode(dim: number, x: DotLocals): Code {
  const code: Code[] = [];
  const al = dim % 4 === 0 ? 4 : 2;
  for (let j = 0; j < dim >> 2; j++) {
    code.push(get(x.ur), v128Load(16 * j, al), set(x.uv));
    code.push(get(x.urow), get(x.uv), f64x2PromoteLow, v128Store(32 * j, 4));
    code.push(get(x.urow), get(x.uv), get(x.uv), highHalf, f64x2PromoteLow, v128Store(32 * j + 16, 4));
  }
  return code;
}

/** Pushes ⟨user row, item row at `ir`⟩ (float64, gatherDot's operations in gatherDot's order). */
function dotCode(dim: number, x: DotLocals): Code {
  const nVec = dim >> 2;
  const code: Code[] = [v128Zero, set(x.a01), v128Zero, set(x.a23)];
  for (let j = 0; j < nVec; j++) {
    for (const [h, acc] of [[0, x.a01], [1, x.a23]] as const) {
      code.push(get(acc), get(x.urow), v128Load(32 * j + 16 * h, 4), get(x.ir), load64Zero(16 * j + 8 * h), f64x2PromoteLow, f64x2Mul, f64x2Add, set(acc));
    }
  }
  code.push(get(x.a01), f64x2ExtractLane(0), set(x.s0));
  for (let d = 4 * nVec; d < dim; d++) {
    code.push(get(x.s0), get(x.ur), f32Load(4 * d), F64_PROMOTE_F32, get(x.ir), f32Load(4 * d), F64_PROMOTE_F32, F64_MUL, F64_ADD, set(x.s0));
  }
  code.push(
    get(x.s0), get(x.a01), f64x2ExtractLane(1), F64_ADD,
    get(x.a23), f64x2ExtractLane(0), get(x.a23), f64x2ExtractLane(1), F64_ADD,
    F64_ADD,
  );
  return code;
}

/** `ir = tableBase + row(ptr)·rowBytes` for the int32 row id at `ptr`. */
const rowAddr = (table: number, ptr: number, rowBytes: number, dst: number): Code => [get(table), get(ptr), i32Load(0), i32c(rowBytes), MUL, ADD, set(dst)];

/**
 * DNS (`argmax`) and AHNS (`argminDistance`): per slot, the first candidate starts as the best and a
 * later one replaces it when its criterion is strictly better.
 */
function firstBestFunction(dim: number, ahns: boolean): WasmFunction {
  // params
  const USERS = 0, CAND = 1, N = 2, K = 3, NPAIRS = 4, U = 5, I = 6;
  const TARGETS = ahns ? 7 : -1;
  const CHOSEN = ahns ? 8 : 7;
  const UROW = ahns ? 9 : 8;
  const nParams = UROW + 1;
  // i32 locals
  const UP = nParams, UE = UP + 1, CP = UP + 2, CE = UP + 3, OP = UP + 4, SLOT = UP + 5, UR = UP + 6, IR = UP + 7, C = UP + 8, BEST = UP + 9, TP = UP + 10;
  const A01 = UP + 11, A23 = A01 + 1, UV = A01 + 2; // v128
  const S0 = A01 + 3, CRIT = S0 + 1, BESTV = S0 + 2, TGT = S0 + 3; // f64
  const x: DotLocals = { ur: UR, urow: UROW, ir: IR, a01: A01, a23: A23, uv: UV, s0: S0 };
  const rowBytes = dim * 4;
  // criterion of the dot on the stack
  const crit: Code = ahns ? [get(TGT), F64_SUB, F64_ABS] : [];
  const better: Code = ahns ? [get(CRIT), get(BESTV), F64_LT] : [get(CRIT), get(BESTV), F64_GT];
  const cand: Code = [
    rowAddr(I, CP, rowBytes, IR),
    dotCode(dim, x), crit, set(CRIT),
    get(C), i32c(0), EQ,
    IF, get(CRIT), set(BESTV), i32c(0), set(BEST),
    ELSE,
    better, IF, get(CRIT), set(BESTV), get(C), set(BEST), END,
    END,
    get(C), i32c(1), ADD, set(C),
  ];
  const slot: Code = [
    i32c(0), set(C),
    get(CP), get(N), i32c(2), SHL, ADD, set(CE),
    // chosen[t] = t·N + best, t·N = (CP − CAND)/4 at slot start
    get(OP), get(CP), get(CAND), 0x6b /* i32.sub */, i32c(2), 0x76 /* i32.shr_u */,
    forPtr(CP, CE, 4, cand),
    get(BEST), ADD, 0x36, 2, 0 /* i32.store */,
    get(OP), i32c(4), ADD, set(OP),
  ];
  const pair: Code = [
    rowAddr(U, UP, rowBytes, UR),
    promoteCode(dim, x),
    ahns ? [get(TP), f64Load(0), set(TGT), get(TP), i32c(8), ADD, set(TP)] : [],
    i32c(0), set(SLOT),
    BLOCK, get(K), i32c(0), EQ, brIf(0), LOOP, slot, get(SLOT), i32c(1), ADD, tee(SLOT), get(K), LT_U, brIf(0), END, END,
  ];
  return {
    exportName: ahns ? 'argminDistance' : 'argmax',
    params: Array.from({ length: nParams }, () => I32),
    results: [],
    locals: [[11, I32], [3, V128], [4, F64]],
    code: [
      get(USERS), set(UP), get(USERS), get(NPAIRS), i32c(2), SHL, ADD, set(UE),
      get(CAND), set(CP), get(CHOSEN), set(OP),
      ahns ? [get(TARGETS), set(TP)] : [],
      forPtr(UP, UE, 4, pair),
    ],
  };
}

/**
 * DNS(M,N) (`topN`): per slot, the sampler's stable partial insertion sort of the M candidate scores
 * (a candidate moves up past an entry only when that entry's score is strictly smaller); writes the N
 * best local candidate indices (0..M), best first, at tops[t·N ..].
 */
function topNFunction(dim: number): WasmFunction {
  const USERS = 0, CAND = 1, M = 2, K = 3, NPAIRS = 4, U = 5, I = 6, NTOP = 7, TOPS = 8, UROW = 9, SROW = 10;
  const nParams = 11;
  const UP = nParams, UE = UP + 1, CP = UP + 2, SLOT = UP + 3, UR = UP + 4, IR = UP + 5, C = UP + 6, POS = UP + 7, FILLED = UP + 8, Q = UP + 9, TB = UP + 10, LAST = UP + 11;
  const A01 = UP + 12, A23 = A01 + 1, UV = A01 + 2; // v128
  const S0 = A01 + 3, S = S0 + 1; // f64
  const x: DotLocals = { ur: UR, urow: UROW, ir: IR, a01: A01, a23: A23, uv: UV, s0: S0 };
  const rowBytes = dim * 4;
  const topAt = (i: Code): Code => [get(TB), i, i32c(2), SHL, ADD]; // address of top[i]
  const cand: Code = [
    rowAddr(I, CP, rowBytes, IR),
    dotCode(dim, x), set(S),
    get(SROW), get(C), i32c(3), SHL, ADD, get(S), f64Store(0),
    // pos = filled; while (pos > 0 && srow[top[pos − 1]] < s) pos--
    get(FILLED), set(POS),
    BLOCK, LOOP,
    get(POS), i32c(0), EQ, brIf(1),
    get(SROW), topAt([get(POS), i32c(1), 0x6b]), i32Load(0), i32c(3), SHL, ADD, f64Load(0), get(S), F64_LT, i32c(0), EQ, brIf(1),
    get(POS), i32c(1), 0x6b, set(POS), br(0),
    END, END,
    // if (pos < N) { shift top[pos..last) up by one; top[pos] = c; filled += filled < N }
    get(POS), get(NTOP), LT_U,
    IF,
    get(FILLED), get(NTOP), LT_U, IF, get(FILLED), set(LAST), ELSE, get(NTOP), i32c(1), 0x6b, set(LAST), END,
    get(LAST), set(Q),
    BLOCK, LOOP,
    get(Q), get(POS), 0x4d /* le_u */, brIf(1),
    topAt(get(Q)), topAt([get(Q), i32c(1), 0x6b]), i32Load(0), 0x36, 2, 0,
    get(Q), i32c(1), 0x6b, set(Q), br(0),
    END, END,
    topAt(get(POS)), get(C), 0x36, 2, 0,
    get(FILLED), get(NTOP), LT_U, IF, get(FILLED), i32c(1), ADD, set(FILLED), END,
    END,
    get(C), i32c(1), ADD, set(C),
    get(CP), i32c(4), ADD, set(CP),
  ];
  const slot: Code = [
    i32c(0), set(C), i32c(0), set(FILLED),
    BLOCK, get(M), i32c(0), EQ, brIf(0), LOOP, cand, get(C), get(M), LT_U, brIf(0), END, END,
    get(TB), get(NTOP), i32c(2), SHL, ADD, set(TB),
  ];
  const pair: Code = [
    rowAddr(U, UP, rowBytes, UR),
    promoteCode(dim, x),
    i32c(0), set(SLOT),
    BLOCK, get(K), i32c(0), EQ, brIf(0), LOOP, slot, get(SLOT), i32c(1), ADD, tee(SLOT), get(K), LT_U, brIf(0), END, END,
  ];
  return {
    exportName: 'topN',
    params: Array.from({ length: nParams }, () => I32),
    results: [],
    locals: [[12, I32], [3, V128], [2, F64]],
    code: [
      get(USERS), set(UP), get(USERS), get(NPAIRS), i32c(2), SHL, ADD, set(UE),
      get(CAND), set(CP), get(TOPS), set(TB),
      forPtr(UP, UE, 4, pair),
    ],
  };
}

/** One layer of `pickPerLayer` (see the file comment). */
function pickLayerFunction(dim: number): WasmFunction {
  const USERS = 0, POS = 1, CAND = 2, N = 3, K = 4, NPAIRS = 5, U = 6, I = 7, ALPHAS = 8, L = 9, LAYER = 10, MIX = 11, NORM = 12, HASB = 13, BONUS = 14, CHOSEN = 15, UROW = 16, MROW = 17;
  const nParams = 18;
  const UP = nParams, UE = UP + 1, PP = UP + 2, CP = UP + 3, CE = UP + 4, SLOT = UP + 5, UR = UP + 6, IR = UP + 7, C = UP + 8, BEST = UP + 9, MP = UP + 10, T = UP + 11, BP = UP + 12;
  const A01 = UP + 13, A23 = A01 + 1, UV = A01 + 2; // v128
  const S0 = A01 + 3, SP = S0 + 1, A = S0 + 2, M = S0 + 3, MIN = S0 + 4, MAX = S0 + 5, INV = S0 + 6, S = S0 + 7, BESTV = S0 + 8; // f64
  const x: DotLocals = { ur: UR, urow: UROW, ir: IR, a01: A01, a23: A23, uv: UV, s0: S0 };
  const rowBytes = dim * 4;
  const pass1: Code = [
    rowAddr(I, CP, rowBytes, IR),
    // m = a·sp + (1 − a)·s_c
    get(A), get(SP), F64_MUL, f64c(1), get(A), F64_SUB, dotCode(dim, x), F64_MUL, F64_ADD, set(M),
    get(MP), get(M), f64Store(0),
    get(MP), i32c(8), ADD, set(MP),
    get(M), get(MIN), F64_LT, IF, get(M), set(MIN), END,
    get(M), get(MAX), F64_GT, IF, get(M), set(MAX), END,
  ];
  const pass2: Code = [
    get(NORM), [0x04, F64], get(MP), f64Load(0), get(MIN), F64_SUB, get(INV), F64_MUL, ELSE, get(MP), f64Load(0), END, set(S),
    get(HASB), IF, get(S), get(BP), f64Load(0), F64_ADD, set(S), get(BP), i32c(8), ADD, set(BP), END,
    get(S), get(BESTV), F64_GT, IF, get(S), set(BESTV), get(C), set(BEST), END,
    get(MP), i32c(8), ADD, set(MP),
    get(C), i32c(1), ADD, set(C),
  ];
  const slot: Code = [
    // t = b·k + slot; a = alphas[t·L + l]
    get(PP), get(POS), 0x6b, i32c(2), 0x76, get(K), MUL, get(SLOT), ADD, set(T),
    get(ALPHAS), get(T), get(L), MUL, get(LAYER), ADD, i32c(3), SHL, ADD, f64Load(0), set(A),
    f64c(Infinity), set(MIN), f64c(-Infinity), set(MAX),
    get(CP), get(N), i32c(2), SHL, ADD, set(CE),
    get(MROW), set(MP),
    BLOCK, get(CP), get(CE), 0x4f /* ge_u */, brIf(0), LOOP, pass1, get(CP), i32c(4), ADD, tee(CP), get(CE), LT_U, brIf(0), END, END,
    // inv = normalize && range > 0 ? 1/range : 0
    f64c(0), set(INV),
    get(NORM), IF, get(MAX), get(MIN), F64_SUB, tee(S), f64c(0), F64_GT, IF, f64c(1), get(S), F64_DIV, set(INV), END, END,
    get(HASB), IF, get(BONUS), get(T), get(N), MUL, i32c(3), SHL, ADD, set(BP), END,
    f64c(-Infinity), set(BESTV), i32c(0), set(BEST), i32c(0), set(C),
    get(MROW), set(MP),
    BLOCK, get(N), i32c(0), EQ, brIf(0), LOOP, pass2, get(C), get(N), LT_U, brIf(0), END, END,
    // chosen[t·L + l] = t·N + best
    get(CHOSEN), get(T), get(L), MUL, get(LAYER), ADD, i32c(2), SHL, ADD,
    get(T), get(N), MUL, get(BEST), ADD,
    0x36, 2, 0,
  ];
  const pair: Code = [
    rowAddr(U, UP, rowBytes, UR),
    promoteCode(dim, x),
    f64c(0), set(SP),
    get(MIX), IF, rowAddr(I, PP, rowBytes, IR), dotCode(dim, x), set(SP), END,
    i32c(0), set(SLOT),
    BLOCK, get(K), i32c(0), EQ, brIf(0), LOOP, slot, get(SLOT), i32c(1), ADD, tee(SLOT), get(K), LT_U, brIf(0), END, END,
    get(PP), i32c(4), ADD, set(PP),
  ];
  return {
    exportName: 'pickLayer',
    params: Array.from({ length: nParams }, () => I32),
    results: [],
    locals: [[13, I32], [3, V128], [9, F64]],
    code: [
      get(USERS), set(UP), get(USERS), get(NPAIRS), i32c(2), SHL, ADD, set(UE),
      get(POS), set(PP), get(CAND), set(CP),
      forPtr(UP, UE, 4, pair),
    ],
  };
}

export function pickModuleBytes(dim: number, maxPages: number): Uint8Array {
  return assembleModule({ shared: true, maxPages }, [firstBestFunction(dim, false), firstBestFunction(dim, true), pickLayerFunction(dim), topNFunction(dim)]);
}

export interface PickExports {
  argmax(users: number, cand: number, N: number, k: number, nPairs: number, U: number, I: number, chosen: number, urow: number): void;
  argminDistance(users: number, cand: number, N: number, k: number, nPairs: number, U: number, I: number, targets: number, chosen: number, urow: number): void;
  topN(users: number, cand: number, M: number, k: number, nPairs: number, U: number, I: number, N: number, tops: number, urow: number, srow: number): void;
  pickLayer(
    users: number, pos: number, cand: number, N: number, k: number, nPairs: number, U: number, I: number,
    alphas: number, L: number, l: number, mix: number, normalize: number, hasBonus: number, bonus: number, chosen: number, urow: number, mrow: number,
  ): void;
}

/** Largest embedding size with a generated module (larger dims: callers use their JS loops). */
export const PICK_MAX_DIM = 1024;

const pickInstances = createPerDimInstances(pickModuleBytes, (exports) => exports as unknown as PickExports);

/** The score-and-pick kernels for rows of `dim` floats over `memory`, or null. */
export function pickExports(memory: WasmMemory, dim: number, maxPages: number): PickExports | null {
  if (!Number.isInteger(dim) || dim <= 0 || dim > PICK_MAX_DIM) return null;
  return pickInstances(memory, dim, maxPages);
}
