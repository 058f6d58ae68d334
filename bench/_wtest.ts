import { createWasmArena } from '/work/main/packages/kernels/src/wasm-arena.ts';
import { dimExports, baseExports } from '/work/main/packages/kernels/src/internal/wasm-kernel-module.ts';
import { spmm, spmmScatterRows } from '/work/main/packages/kernels/src/spmm.ts';
import { adamDenseRange } from '/work/main/packages/kernels/src/adam.ts';
const arena = createWasmArena();
for (const dim of [64, 13, 1, 4, 35]) {
  const n = 300;
  const indptr = arena.i32(n + 1); const cols: number[] = [];
  for (let r = 0; r < n; r++) { const d = Math.floor(Math.random() * 8); for (let k = 0; k < d; k++) cols.push(Math.floor(Math.random() * n)); indptr[r + 1] = cols.length; }
  const indices = arena.i32(cols.length); indices.set(cols);
  const values = arena.f32(cols.length); for (let i = 0; i < values.length; i++) values[i] = Math.random() - 0.5;
  const x = arena.f32(n * dim); for (let i = 0; i < x.length; i++) x[i] = Math.random() - 0.5;
  const y1 = arena.f32(n * dim), y2 = arena.f32(n * dim);
  const a = { nRows: n, nCols: n, indptr, indices, values };
  spmm(a, x, y1, dim);
  dimExports(arena.memory, dim)!.spmm(indptr.byteOffset, indices.byteOffset, values.byteOffset, x.byteOffset, y2.byteOffset, 0, n);
  let md = 0; for (let i = 0; i < y1.length; i++) md = Math.max(md, Math.abs(y1[i]! - y2[i]!));
  const rows = arena.i32(50); for (let i = 0; i < 50; i++) rows[i] = i * 3;
  const z1 = arena.f32(n * dim), z2 = arena.f32(n * dim);
  spmmScatterRows(a, x, rows, 50, z1, dim);
  dimExports(arena.memory, dim)!.scatter(rows.byteOffset, 50, indptr.byteOffset, indices.byteOffset, values.byteOffset, x.byteOffset, z2.byteOffset);
  let md2 = 0; for (let i = 0; i < z1.length; i++) md2 = Math.max(md2, Math.abs(z1[i]! - z2[i]!));
  console.log('dim', dim, 'spmm maxdiff', md, 'scatter', md2);
}
const N = 1003; const mk = () => { const p = arena.f32(N), g = arena.f32(N), m = arena.f32(N), v = arena.f32(N); for (let i = 0; i < N; i++) { p[i] = Math.random(); g[i] = Math.random() - 0.5; m[i] = Math.random() * 0.1; v[i] = Math.random() * 0.01; } return { p, g, m, v }; };
const A = mk(); const B = { p: arena.f32(N), g: arena.f32(N), m: arena.f32(N), v: arena.f32(N) }; B.p.set(A.p); B.g.set(A.g); B.m.set(A.m); B.v.set(A.v);
const h = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8 }; const t = 3;
adamDenseRange(A.p, A.g, A.m, A.v, h, t, 0, N);
baseExports(arena.memory)!.adam(B.p.byteOffset, B.g.byteOffset, B.m.byteOffset, B.v.byteOffset, 0, N, h.beta1, h.beta2, 1 - h.beta1, 1 - h.beta2, h.lr / (1 - h.beta1 ** t), 1 / Math.sqrt(1 - h.beta2 ** t), h.eps);
let d = 0; for (let i = 0; i < N; i++) d = Math.max(d, Math.abs(A.p[i]! - B.p[i]!) , Math.abs(A.m[i]! - B.m[i]!), Math.abs(A.v[i]! - B.v[i]!));
console.log('adam maxdiff', d);
