/**
 * Benchmark of the dual trees on a real dataset (issue 5):
 *   pnpm --silent bench trees --data /work/shared/data/amazon-sports-dtlns [--item-emb FILE] [--seed 2022]
 *        [--pairs 200000] [--authors-co FILE --authors-se FILE --authors-offset 15138] [--no-repeat] [--json]
 * Measures eigen-residuals, build times, tree statistics beside the authors' shipped codes, and the
 * collaborative-signal check (mean prefix similarity of two items of one user's train history vs.
 * random pairs) for our codes and the authors'. Reads only the train split's interactions.
 * Without --item-emb the se tree is built over a training-free stand-in (truncated SVD of the
 * normalized train matrix), which is said in the output.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createRng } from '../packages/core/src/index.ts';
import type { Codebook, DenseMatrix } from '../packages/core/src/index.ts';
import { loadDataset, readMatrixText } from '../packages/data/src/index.ts';
import { createKmeansTreeBuilder, createSpectralKmeansBuilder, createLouvainBuilder, svdItemEmbedding } from '../packages/trees/src/index.ts';
import { codebookFromTree, codebookStats, formatCodeText, historySimilarity, readCodeFile } from '../packages/encoding/src/index.ts';
import type { CodebookStats } from '../packages/encoding/src/index.ts';

function arg(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function fmtStats(s: CodebookStats): string {
  return `depth ${s.depthMin}–${s.depthMax} (mean ${s.depthMean.toFixed(2)}), leaves ${s.leaves}, leaf size ${s.leafSizeMin}/${s.leafSizeMedian}/${s.leafSizeMax}`;
}

export async function main(args: readonly string[]): Promise<void> {
  const dir = arg(args, '--data') ?? '/work/shared/data/amazon-sports-dtlns';
  const seed = Number(arg(args, '--seed') ?? 2022);
  const pairs = Number(arg(args, '--pairs') ?? 200_000);
  const json = args.includes('--json');
  const repeat = !args.includes('--no-repeat');
  const builderName = arg(args, '--builder') ?? 'spectral-kmeans';
  const log = (line: string) => (json ? process.stderr : process.stdout).write(line + '\n');

  let t = performance.now();
  const { data } = await loadDataset(dir);
  const train = data.train; // only the train split is used below
  log(`loaded ${data.name}: ${data.nUsers} users × ${data.nItems} items, ${train.indices.length} train interactions (${(performance.now() - t).toFixed(0)} ms)`);

  const coBuilder = builderName === 'louvain' ? createLouvainBuilder() : createSpectralKmeansBuilder();
  const seBuilder = createKmeansTreeBuilder();
  const buildCo = () => {
    const start = performance.now();
    const cpu0 = process.cpuUsage();
    let kmeansStart = 0;
    const tree = coBuilder.build(train, createRng(seed).fork('co'), (e) => {
      if (e.stage === 'kmeans-tree' && kmeansStart === 0) kmeansStart = performance.now();
    });
    const end = performance.now();
    const cpu = process.cpuUsage(cpu0);
    return { tree, cpuMs: (cpu.user + cpu.system) / 1000, ms: end - start, embedMs: kmeansStart ? kmeansStart - start : NaN, kmeansMs: kmeansStart ? end - kmeansStart : NaN };
  };

  const co = buildCo();
  const coCodes = codebookFromTree(co.tree);
  const info = co.tree.info ?? {};
  const residuals = (info.residuals as number[] | undefined) ?? [];
  log(`co tree (${coBuilder.name}): ${co.ms.toFixed(0)} ms wall, ${co.cpuMs.toFixed(0)} ms CPU (embedding+graph ${co.embedMs.toFixed(0)} ms, k-means tree ${co.kmeansMs.toFixed(0)} ms)`);
  if (residuals.length) {
    log(`  eigen-residuals ‖Lv−λv‖: max ${Math.max(...residuals).toExponential(2)} over ${residuals.length} vectors; λ ${(info.eigenvalues as number[])[0]!.toFixed(4)}..${(info.eigenvalues as number[]).at(-1)!.toFixed(4)}; matvecs ${String(info.matvecs)}; components ${String(info.components)}, isolated ${String(info.isolated)}`);
  }

  const embFile = arg(args, '--item-emb');
  let seInput: DenseMatrix;
  let seSource: string;
  t = performance.now();
  if (embFile) {
    seInput = readMatrixText(embFile);
    seSource = `item embeddings from ${embFile}`;
  } else {
    seInput = svdItemEmbedding(train, createRng(seed).fork('svd'));
    seSource = 'STAND-IN: truncated SVD (dim 64) of the normalized train matrix, no trained model';
  }
  const embMs = performance.now() - t;
  t = performance.now();
  const seCpu0 = process.cpuUsage();
  const seTree = seBuilder.build(seInput, createRng(seed).fork('se'));
  const seMs = performance.now() - t;
  const seCpuUsage = process.cpuUsage(seCpu0);
  const seCpuMs = (seCpuUsage.user + seCpuUsage.system) / 1000;
  const seCodes = codebookFromTree(seTree);
  log(`se tree (kmeans over ${seSource}): embedding ${embMs.toFixed(0)} ms, tree ${seMs.toFixed(0)} ms wall, ${seCpuMs.toFixed(0)} ms CPU`);
  log(`both trees: ${(co.ms + seMs).toFixed(0)} ms wall, ${(co.cpuMs + seCpuMs).toFixed(0)} ms CPU (+ ${embMs.toFixed(0)} ms for the se stand-in embedding)`);

  let deterministic: boolean | undefined;
  if (repeat) {
    const again = buildCo();
    const seAgain = seBuilder.build(seInput, createRng(seed).fork('se'));
    deterministic =
      formatCodeText(codebookFromTree(again.tree)) === formatCodeText(coCodes) &&
      formatCodeText(codebookFromTree(seAgain)) === formatCodeText(seCodes);
    log(`same seed twice → identical codes: ${deterministic}`);
  }

  const rows: Array<{ name: string; codes: Codebook; stats: CodebookStats; sameUser: number; random: number }> = [];
  const add = (name: string, codes: Codebook) => {
    const sim = historySimilarity(codes, train, createRng(seed).fork('signal'), { pairs });
    rows.push({ name, codes, stats: codebookStats(codes), sameUser: sim.sameUser, random: sim.random });
  };
  add(`ours co (${coBuilder.name})`, coCodes);
  add(`ours se (kmeans${embFile ? '' : ', SVD stand-in'})`, seCodes);
  const offset = Number(arg(args, '--authors-offset') ?? data.nUsers);
  const authorsCo = arg(args, '--authors-co') ?? join(dir, 'raw/extras/Sports_struct_path_encoding.txt');
  const authorsSe = arg(args, '--authors-se') ?? join(dir, 'raw/extras/Sports_semantic_path_encoding.txt');
  for (const [name, file] of [['authors co', authorsCo], ['authors se', authorsSe]] as const) {
    if (!existsSync(file)) continue;
    const parsed = readCodeFile(file, { offset, nItems: data.nItems, allowMissing: true });
    if (parsed.missing.length) log(`  ${file}: ${parsed.missing.length} items without a code (empty code)`);
    add(name, parsed.codebook);
  }
  log(`\ncollaborative signal: mean prefix similarity, ${pairs} pairs each (same user's train history vs random items)`);
  for (const r of rows) {
    log(`  ${r.name.padEnd(32)} same-user ${r.sameUser.toFixed(4)}  random ${r.random.toFixed(4)}  | ${fmtStats(r.stats)}`);
  }
  if (json) {
    process.stdout.write(
      JSON.stringify({
        dataset: data.name,
        seed,
        co: { builder: coBuilder.name, ms: co.ms, cpuMs: co.cpuMs, embedMs: co.embedMs, kmeansMs: co.kmeansMs, maxResidual: residuals.length ? Math.max(...residuals) : null, matvecs: info.matvecs },
        se: { source: seSource, embeddingMs: embMs, ms: seMs, cpuMs: seCpuMs },
        deterministic,
        rows: rows.map(({ codes: _codes, ...rest }) => rest),
      }) + '\n',
    );
  }
}
