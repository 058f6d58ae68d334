/**
 * A tiny WebAssembly assembler: LEB128 encoders, the opcodes the hand-written kernels use, and a
 * module writer (types, one imported memory, functions, exports). Everything is written byte by byte
 * so `@dtl/kernels` needs no toolchain and no dependency.
 *
 * Source: the WebAssembly core specification 2.0, §5 "Binary format" (sections, LEB128, instruction
 * opcodes) and the fixed-width SIMD proposal (opcode prefix 0xfd).
 */

/** Value types. */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (32-bit). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    const done = (n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** A section: id, byte length, body. */
export function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/** A length-prefixed ASCII name. */
export function name(text: string): number[] {
  const bytes = [...text].map((c) => c.charCodeAt(0));
  return [...uleb(bytes.length), ...bytes];
}

// ---- instructions ----
export const get = (i: number): number[] => [0x20, ...uleb(i)];
export const set = (i: number): number[] => [0x21, ...uleb(i)];
export const tee = (i: number): number[] => [0x22, ...uleb(i)];
export const i32c = (v: number): number[] => [0x41, ...sleb(v | 0)];
export const f32c = (v: number): number[] => [0x43, ...new Uint8Array(Float32Array.of(v).buffer)];
export const simd = (op: number, ...imm: number[]): number[] => [0xfd, ...uleb(op), ...imm];
/** `i32.load` / `f32.load` / `f32.store` with a 4-byte alignment hint and a constant byte offset. */
export const i32Load = (offset: number): number[] => [0x28, 2, ...uleb(offset)];
export const f32Load = (offset: number): number[] => [0x2a, 2, ...uleb(offset)];
export const f32Store = (offset: number): number[] => [0x38, 2, ...uleb(offset)];
/**
 * `v128.load` / `v128.store` (alignment hint 16 bytes by default; the hint never affects correctness,
 * unaligned addresses are legal) with a constant byte offset.
 */
export const v128Load = (offset: number, alignLog2 = 4): number[] => simd(0x00, alignLog2, ...uleb(offset));
export const v128Store = (offset: number, alignLog2 = 4): number[] => simd(0x0b, alignLog2, ...uleb(offset));
export const load32Splat = (offset: number): number[] => simd(0x09, 2, ...uleb(offset));
export const v128Zero = simd(0x0c, ...new Array<number>(16).fill(0));
export const f32x4Splat = simd(0x13);
export const f32x4ExtractLane = (lane: number): number[] => simd(0x1f, lane);
export const f32x4Add = simd(0xe4);
export const f32x4Sub = simd(0xe5);
export const f32x4Mul = simd(0xe6);
export const f32x4Div = simd(0xe7);
export const f32x4Sqrt = simd(0xe3);
export const F32_ADD = 0x92;
export const F32_SUB = 0x93;
export const F32_MUL = 0x94;
export const F32_DIV = 0x95;
export const F32_SQRT = 0x91;
export const ADD = 0x6a;
export const SUB = 0x6b;
export const MUL = 0x6c;
export const AND = 0x71;
export const SHL = 0x74;
export const LT_U = 0x49;
export const GT_U = 0x4b;
export const LE_U = 0x4d;
export const GE_U = 0x4f;
export const EQ = 0x46;
export const REM_U = 0x70;
export const F64_ADD = 0xa0;
export const F64_PROMOTE_F32 = 0xbb;
export const F32_DEMOTE_F64 = 0xb6;
export const f64x2Add = simd(0xf0);
export const f64x2PromoteLow = simd(0x5f);
export const f32x4DemoteZero = simd(0x5e);
export const F64 = 0x7c;
export const F64_MUL = 0xa2;
export const F64_DIV = 0xa3;
export const I32_DIV_U = 0x6e;
export const f64Load = (offset: number): number[] => [0x2b, 3, ...uleb(offset)];
export const f64Store = (offset: number): number[] => [0x39, 3, ...uleb(offset)];
export const f64c = (v: number): number[] => [0x44, ...new Uint8Array(Float64Array.of(v).buffer)];
export const f64x2Mul = simd(0xf2);
export const f64x2ExtractLane = (lane: number): number[] => simd(0x21, lane);
/** `v128.load64_zero`: two floats into lanes 0, 1 (the rest zero). */
export const load64Zero = (offset: number): number[] => simd(0x5d, 0, ...uleb(offset));
/** Lanes 2, 3 of a vector moved to lanes 0, 1 (`i8x16.shuffle` of the vector with itself: push it twice). */
export const highHalf = simd(0x0d, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15);
export const BLOCK = [0x02, 0x40];
export const IF = [0x04, 0x40];
export const ELSE = 0x05;
export const LOOP = [0x03, 0x40];
export const END = 0x0b;
export const brIf = (depth: number): number[] => [0x0d, ...uleb(depth)];
export const br = (depth: number): number[] => [0x0c, ...uleb(depth)];

/** Nested byte lists, flattened by {@link flat}; lets kernels be written as readable arrays. */
export type Code = number | readonly Code[];

export function flat(code: Code, out: number[] = []): number[] {
  if (typeof code === 'number') out.push(code);
  else for (const c of code) flat(c, out);
  return out;
}

/** `for (; ptr < end; ptr += step) body` with the test before the first iteration. */
export function forPtr(ptr: number, end: number, step: number, body: Code): Code {
  return [BLOCK, get(ptr), get(end), GE_U, brIf(0), LOOP, body, get(ptr), i32c(step), ADD, tee(ptr), get(end), LT_U, brIf(0), END, END];
}

/** One function: its signature, extra locals (runs of one type) and body (without the final `end`). */
export interface WasmFunction {
  readonly exportName: string;
  readonly params: readonly number[];
  readonly results: readonly number[];
  readonly locals: ReadonlyArray<readonly [count: number, type: number]>;
  readonly code: Code;
}

/**
 * A module importing one memory as `env.mem` and exporting the given functions. A `shared` import
 * (limits flag 0x03) needs a maximum; it accepts any shared memory whose maximum is at most
 * `maxPages`.
 */
export function assembleModule(memory: { readonly shared: boolean; readonly maxPages: number }, functions: readonly WasmFunction[]): Uint8Array {
  const types: number[] = [...uleb(functions.length)];
  for (const f of functions) types.push(0x60, ...uleb(f.params.length), ...f.params, ...uleb(f.results.length), ...f.results);
  const limits = memory.shared ? [0x03, 0x00, ...uleb(memory.maxPages)] : [0x00, 0x00];
  const imports = [1, ...name('env'), ...name('mem'), 0x02, ...limits];
  const funcs = [...uleb(functions.length), ...functions.flatMap((_, i) => uleb(i))];
  const exports = [...uleb(functions.length), ...functions.flatMap((f, i) => [...name(f.exportName), 0x00, ...uleb(i)])];
  const code: number[] = [...uleb(functions.length)];
  for (const f of functions) {
    const body = [...uleb(f.locals.length), ...f.locals.flatMap(([n, t]) => [...uleb(n), t]), ...flat(f.code), END];
    code.push(...uleb(body.length), ...body);
  }
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, types),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exports),
    ...section(10, code),
  ]);
}

// The TypeScript libs this repo uses (ES2023 + @types/node 20) do not declare WebAssembly; these are
// the few members the kernels use.
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(deltaPages: number): number;
}
export type WasmModule = object;
export interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => WasmModule;
  readonly Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
  readonly Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}

/** The global `WebAssembly` object, or undefined where there is none. */
export function wasmApi(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}

/** Bytes per WebAssembly page. */
export const PAGE = 65536;
