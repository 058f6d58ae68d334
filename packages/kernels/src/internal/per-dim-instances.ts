import { wasmApi } from './wasm-asm.ts';
import type { WasmMemory, WasmModule } from './wasm-asm.ts';

/**
 * A cache of kernel instances specialised by row width: one compiled module per `dim` (null when it
 * did not compile), one instance per (shared arena memory, dim). Used by the candidate-scoring kernels
 * (`wasm-score.ts`, `wasm-dens.ts`), whose modules are assembled for a fixed `dim`.
 */
export function createPerDimInstances<T>(moduleBytes: (dim: number, maxPages: number) => Uint8Array, pick: (exports: Record<string, unknown>) => T): (memory: WasmMemory, dim: number, maxPages: number) => T | null {
  const modules = new Map<number, WasmModule | null>();
  const instances = new WeakMap<WasmMemory, Map<number, T>>();
  return (memory, dim, maxPages) => {
    const api = wasmApi();
    if (!api) return null;
    let perMemory = instances.get(memory);
    if (!perMemory) {
      perMemory = new Map();
      instances.set(memory, perMemory);
    }
    let found = perMemory.get(dim);
    if (found === undefined) {
      let module = modules.get(dim);
      if (module === undefined) {
        try {
          module = new api.Module(moduleBytes(dim, maxPages));
        } catch {
          module = null;
        }
        modules.set(dim, module);
      }
      if (!module) return null;
      found = pick(new api.Instance(module, { env: { mem: memory } }).exports);
      perMemory.set(dim, found);
    }
    return found;
  };
}
