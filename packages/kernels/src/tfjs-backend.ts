import { createRequire } from 'node:module';
import { dirname, sep } from 'node:path';
import { DtlError } from '@dtl/core';
import type * as TfNamespace from '@tensorflow/tfjs';

/** The TensorFlow.js namespace (`import * as tf from '@tensorflow/tfjs'`). */
export type Tfjs = typeof TfNamespace;

/** A tfjs backend this loader can activate, fastest first. */
export type TfjsBackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface LoadTfjsOptions {
  /**
   * Backends to try, in order; the first that loads wins. Default `['tensorflow', 'wasm', 'cpu']`:
   * `@tensorflow/tfjs-node` (native libtensorflow) when installed and loadable, else
   * `@tensorflow/tfjs-backend-wasm`, else the pure-JS cpu backend of `@tensorflow/tfjs`.
   */
  readonly prefer?: readonly TfjsBackendName[];
  /**
   * Replace the cpu backend's `UnsortedSegmentSum` (one masked pass over the data per segment, i.e.
   * O(segments × rows): minutes for the gradient of a gather from a large embedding table) with the
   * single-pass JS kernel that wasm gets. Default true.
   */
  readonly fastCpuSegmentSum?: boolean;
  /**
   * On wasm, wrap two kernels with faster paths measured on this machine class (2 cores, tfjs 4.22):
   * `BatchMatMul` with a transpose flag (~10× slower than transposing first: 11 ms vs 1–2 ms for
   * 3000×64 by 64×64 — and every matMul gradient uses the flags) runs as Transpose + plain
   * BatchMatMul; `GatherV2` on axis 0 (5.4 ms for 2048 rows × 64 in wasm) copies rows in JS.
   * Results are identical. Default true.
   */
  readonly wasmFastPaths?: boolean;
}

export interface LoadedTfjs {
  readonly tf: Tfjs;
  /** The backend that is now active (`tf.getBackend()`). */
  readonly backend: TfjsBackendName;
  /** Backends tried before the active one and why each was skipped, e.g. tfjs-node's missing native library. */
  readonly skipped: ReadonlyArray<{ readonly backend: TfjsBackendName; readonly reason: string }>;
}

const DEFAULT_ORDER: readonly TfjsBackendName[] = ['tensorflow', 'wasm', 'cpu'];
const KERNEL = 'UnsortedSegmentSum';
/** Marks kernel functions registered by this module, so loading twice neither warns nor re-registers. */
const OURS = Symbol.for('@dtl/kernels:unsorted-segment-sum');

/**
 * Loads TensorFlow.js, an optional peer dependency, and activates the fastest backend that works
 * here (see {@link LoadTfjsOptions.prefer}). tfjs-node's install script downloads libtensorflow
 * from a CDN, so where that failed the package is present but cannot load: that error is caught
 * and recorded in `skipped`. On wasm (which lacks it) and, by default, on cpu (whose version loops
 * once per segment) a single-pass JS `UnsortedSegmentSum` kernel is registered — it is the gradient
 * of `tf.gather`, i.e. of every embedding lookup; on wasm, faster paths for transposed matMul and
 * row gather are installed too ({@link LoadTfjsOptions.wasmFastPaths}). Libraries never print:
 * callers show `backend`.
 *
 * @throws DtlError `UNSUPPORTED` when no tfjs package can be imported at all, or none of the
 * preferred backends initialises.
 */
export async function loadTfjs(options: LoadTfjsOptions = {}): Promise<LoadedTfjs> {
  const order = options.prefer ?? DEFAULT_ORDER;
  if (order.length === 0) throw new DtlError('INVALID_ARGUMENT', 'loadTfjs: prefer lists no backend');
  const skipped: Array<{ backend: TfjsBackendName; reason: string }> = [];
  let nodeTf: Tfjs | undefined;
  if (order.includes('tensorflow')) {
    try {
      nodeTf = namespaceOf(await import('@tensorflow/tfjs-node'));
    } catch (error) {
      skipped.push({ backend: 'tensorflow', reason: `@tensorflow/tfjs-node did not load: ${firstLine(error)}` });
    }
  }
  let tf: Tfjs | undefined;
  try {
    tf = namespaceOf(await import('@tensorflow/tfjs'));
  } catch (error) {
    tf = nodeTf;
    if (!tf) {
      throw new DtlError(
        'UNSUPPORTED',
        'TensorFlow.js is not installed: add @tensorflow/tfjs (and @tensorflow/tfjs-backend-wasm for speed, or ' +
          `@tensorflow/tfjs-node where its download CDN is reachable) (${firstLine(error)})`,
        { cause: error },
      );
    }
  }
  for (const backend of order) {
    if (skipped.some((s) => s.backend === backend)) continue;
    try {
      if (backend === 'wasm') {
        const wasm = await import('@tensorflow/tfjs-backend-wasm');
        // The wasm binaries ship in the package's dist dir; in Node they are read from disk there.
        const require = createRequire(import.meta.url);
        wasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + sep);
      }
      if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') returned false`);
      await tf.ready();
      if (backend === 'wasm') {
        registerSegmentSum(tf, 'wasm', false);
        if (options.wasmFastPaths ?? true) registerWasmFastPaths(tf);
      }
      if (backend === 'cpu' && (options.fastCpuSegmentSum ?? true)) registerSegmentSum(tf, 'cpu', true);
      return { tf, backend, skipped };
    } catch (error) {
      skipped.push({ backend, reason: firstLine(error) });
    }
  }
  throw new DtlError('UNSUPPORTED', `no TensorFlow.js backend could be initialised: ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')}`);
}

/**
 * Registers the single-pass `UnsortedSegmentSum` kernel for `backendName`. Without `replace`, an
 * existing kernel (a future wasm build that has one) is kept.
 */
export function registerSegmentSum(tf: Tfjs, backendName: string, replace: boolean): void {
  const existing = tf.getKernel(KERNEL, backendName);
  if (existing && (existing.kernelFunc as { [OURS]?: true })[OURS]) return;
  if (existing) {
    if (!replace) return;
    tf.unregisterKernel(KERNEL, backendName);
  }
  const kernelFunc = unsortedSegmentSumKernel as TfNamespace.KernelFunc & { [OURS]?: true };
  kernelFunc[OURS] = true;
  tf.registerKernel({ kernelName: KERNEL, backendName, kernelFunc });
}

type KernelArgs = { inputs: TfNamespace.NamedTensorInfoMap; backend: unknown; attrs?: TfNamespace.NamedAttrMap };
type RawKernel = (args: KernelArgs) => TfNamespace.TensorInfo;

/** The wasm backend's internals the fast paths use (public methods of BackendWasm). */
interface WasmBackend {
  readSync(dataId: unknown): ArrayLike<number>;
  makeOutput(shape: number[], dtype: string): TfNamespace.TensorInfo;
  typedArrayFromHeap(info: TfNamespace.TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: unknown): boolean;
}

/**
 * Replaces wasm's `BatchMatMul` and `GatherV2` with wrappers that take a faster path where one exists
 * and otherwise call the original kernel (see {@link LoadTfjsOptions.wasmFastPaths}). Idempotent.
 */
function registerWasmFastPaths(tf: Tfjs): void {
  const matMul = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (matMul && transpose && !(matMul.kernelFunc as { [OURS]?: true })[OURS]) {
    const inner = matMul.kernelFunc as unknown as RawKernel;
    const trans = transpose.kernelFunc as unknown as RawKernel;
    const kernelFunc = ((args: KernelArgs) => {
      const attrs = args.attrs ?? {};
      if (!attrs['transposeA'] && !attrs['transposeB']) return inner(args);
      const backend = args.backend as WasmBackend;
      const swapLast = (x: TfNamespace.TensorInfo): TfNamespace.TensorInfo => {
        const r = x.shape.length;
        const perm = Array.from({ length: r }, (_, i) => (i < r - 2 ? i : i === r - 2 ? r - 1 : r - 2));
        return trans({ inputs: { x }, backend, attrs: { perm } });
      };
      const a = attrs['transposeA'] ? swapLast(args.inputs['a']!) : args.inputs['a']!;
      const b = attrs['transposeB'] ? swapLast(args.inputs['b']!) : args.inputs['b']!;
      try {
        return inner({ inputs: { a, b }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
      } finally {
        if (a !== args.inputs['a']) backend.disposeData(a.dataId);
        if (b !== args.inputs['b']) backend.disposeData(b.dataId);
      }
    }) as unknown as TfNamespace.KernelFunc & { [OURS]?: true };
    kernelFunc[OURS] = true;
    tf.unregisterKernel('BatchMatMul', 'wasm');
    tf.registerKernel({ ...matMul, kernelFunc });
  }
  const gather = tf.getKernel('GatherV2', 'wasm');
  if (gather && !(gather.kernelFunc as { [OURS]?: true })[OURS]) {
    const inner = gather.kernelFunc as unknown as RawKernel;
    const kernelFunc = ((args: KernelArgs) => {
      const x = args.inputs['x']!;
      const indices = args.inputs['indices']!;
      const axis = Number(args.attrs?.['axis'] ?? 0);
      const batchDims = Number(args.attrs?.['batchDims'] ?? 0);
      if ((axis !== 0 && axis !== -x.shape.length) || batchDims !== 0 || x.shape.length === 0 || (x.dtype !== 'float32' && x.dtype !== 'int32')) return inner(args);
      const backend = args.backend as WasmBackend;
      const idx = backend.readSync(indices.dataId);
      const nRows = x.shape[0]!;
      for (let i = 0; i < idx.length; i++) if (!(idx[i]! >= 0 && idx[i]! < nRows)) return inner(args); // it reports the bad index
      const row = x.shape.slice(1).reduce((p, q) => p * q, 1);
      const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
      // Heap views only after the allocation (it may grow and detach the memory).
      const src = backend.typedArrayFromHeap(x);
      const dst = backend.typedArrayFromHeap(out);
      for (let i = 0; i < idx.length; i++) {
        const o = idx[i]! * row;
        dst.set(src.subarray(o, o + row), i * row);
      }
      return out;
    }) as unknown as TfNamespace.KernelFunc & { [OURS]?: true };
    kernelFunc[OURS] = true;
    tf.unregisterKernel('GatherV2', 'wasm');
    tf.registerKernel({ ...gather, kernelFunc });
  }
}

/**
 * The backend methods the kernel uses. Output: wasm's `makeOutput(shape, dtype, offset, values)`;
 * everything else `makeTensorInfo(shape, dtype, values)` (cpu's own `makeOutput` takes other arguments).
 */
interface SegmentSumBackend {
  readSync(dataId: unknown): ArrayLike<number>;
  makeOutput?: (shape: number[], dtype: string, memoryOffset?: number, values?: ArrayLike<number>) => TfNamespace.TensorInfo;
  makeTensorInfo?: (shape: number[], dtype: string, values?: ArrayLike<number>) => TfNamespace.TensorInfo;
  typedArrayFromHeap?: unknown;
}

/**
 * out[s] = Σ_{i : ids[i] = s} x[i] (TensorFlow's `UnsortedSegmentSum`; ids outside [0, numSegments)
 * are dropped, as in TF). One pass over the rows of x, each added into its segment's output row.
 */
function unsortedSegmentSumKernel(args: { inputs: TfNamespace.NamedTensorInfoMap; backend: unknown; attrs?: TfNamespace.NamedAttrMap }): TfNamespace.TensorInfo {
  const x = args.inputs['x']!;
  const ids = args.inputs['segmentIds']!;
  const numSegments = Number(args.attrs?.['numSegments']);
  const backend = args.backend as SegmentSumBackend;
  const xv = backend.readSync(x.dataId);
  const iv = backend.readSync(ids.dataId);
  const nIds = ids.shape.reduce((a, b) => a * b, 1);
  const inner = x.shape.slice(ids.shape.length).reduce((a, b) => a * b, 1);
  const outShape = [numSegments, ...x.shape.slice(ids.shape.length)];
  const out = x.dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
  for (let i = 0; i < nIds; i++) {
    const s = iv[i]!;
    if (!(s >= 0 && s < numSegments)) continue;
    const o = s * inner;
    const xo = i * inner;
    for (let d = 0; d < inner; d++) out[o + d]! += xv[xo + d]!;
  }
  if (backend.typedArrayFromHeap && backend.makeOutput) return backend.makeOutput(outShape, x.dtype, undefined, out);
  if (backend.makeTensorInfo) return backend.makeTensorInfo(outShape, x.dtype, out);
  throw new DtlError('UNSUPPORTED', 'UnsortedSegmentSum: this backend can neither makeOutput nor makeTensorInfo');
}

/** A CJS package imported from ESM may put its exports on `default`. */
function namespaceOf(mod: unknown): Tfjs {
  const m = mod as { setBackend?: unknown; default?: { setBackend?: unknown } };
  if (typeof m.setBackend === 'function') return m as unknown as Tfjs;
  if (m.default && typeof m.default.setBackend === 'function') return m.default as unknown as Tfjs;
  throw new Error('the module does not look like TensorFlow.js (no setBackend)');
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.trim();
}
