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
 * of `tf.gather`, i.e. of every embedding lookup. Libraries never print: callers show `backend`.
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
      if (backend === 'wasm') registerSegmentSum(tf, 'wasm', false);
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
