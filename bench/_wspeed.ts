import { loadDataset } from '@dtl/data';
import { createWasmArena } from '/work/main/packages/kernels/src/wasm-arena.ts';
import { dimModuleBytes, baseExports } from '/work/main/packages/kernels/src/internal/wasm-kernel-module.ts';
import { spmm, adamDenseRange } from '@dtl/kernels';
import { normalizedBipartiteAdjacency } from '/work/main/packages/models/src/adjacency.ts';
const { data } = loadDataset('/work/shared/data/amazon-sports-dtlns');
const adj = normalizedBipartiteAdjacency(data.train);
const arena = createWasmArena();
const n = adj.nRows, dim = 64;
const indptr = arena.i32(n + 1); indptr.set(adj.indptr);
const indices = arena.i32(adj.indices.length); indices.set(adj.indices);
const values = arena.f32(adj.values.length); values.set(adj.values);
const x = arena.f32(n * dim); for (let i = 0; i < x.length; i++) x[i] = Math.sin(i);
const y = arena.f32(n * dim);
const time = (f: () => void, reps = 20) => { for (let i = 0; i < 3; i++) f(); const t = performance.now(); for (let i = 0; i < reps; i++) f(); return ((performance.now() - t) / reps).toFixed(2); };
console.log('js spmm', time(() => spmm(adj, x, y, dim)));
for (const cv of [4, 6, 8, 12, 16]) {
  const mod = new WebAssembly.Module(dimModuleBytes(dim, cv));
  const inst = new WebAssembly.Instance(mod, { env: { mem: arena.memory } }).exports as any;
  console.log('wasm spmm chunk', cv, time(() => inst.spmm(indptr.byteOffset, indices.byteOffset, values.byteOffset, x.byteOffset, y.byteOffset, 0, n)));
}
const N = n * dim; const p = arena.f32(N), g = arena.f32(N), m = arena.f32(N), v = arena.f32(N);
const h = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
console.log('js adam', time(() => adamDenseRange(p, g, m, v, h, 5, 0, N)));
const b = baseExports(arena.memory)!;
console.log('wasm adam', time(() => b.adam(p.byteOffset, g.byteOffset, m.byteOffset, v.byteOffset, 0, N, 0.9, 0.999, 0.1, 0.001, 0.01, 1.2, 1e-8)));
console.log('wasm axpy', time(() => b.axpy(p.byteOffset, g.byteOffset, 0, N, 0.25)));
console.log('js axpy', time(() => { for (let i = 0; i < N; i++) p[i]! += 0.25 * g[i]!; }));
