import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Option } from 'commander';
import type { Command } from 'commander';
import {
  SYNTHETIC_PRESETS,
  datasetStats,
  generateSynthetic,
  loadDataset,
  writeLightGcnDataset,
  writeLightGcnFile,
} from '@dtl/data';
import type { ColdPolicy, DatasetStats, DegreeSummary, LoadReport, OverlapPolicy, SyntheticPreset } from '@dtl/data';
import { createOutput } from '../output.ts';
import { fraction, integer } from './option-parsers.ts';
import { registerImport } from '../import/register-import.ts';

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n');
}

const fmt = (x: number) => (Number.isInteger(x) ? x.toLocaleString('en-US') : x.toFixed(2));
const deg = (d: DegreeSummary) => [fmt(d.min), fmt(d.median), fmt(d.mean), fmt(d.max)];

function prettyStats(s: DatasetStats, r: LoadReport): string {
  const splitRow = (name: 'train' | 'valid' | 'test') => {
    const sr = r.splits[name];
    if (!sr) return [name, '—', '—', '—', '—', '—', '—'];
    const cold = name === 'train' ? undefined : r.cold[name];
    const dropped = name === 'train' ? 0 : r.overlapDropped[name] + r.coldDropped[name];
    return [
      name,
      fmt(sr.interactions),
      fmt(sr.users),
      fmt(sr.duplicates),
      fmt(dropped),
      cold ? `${fmt(cold.users)} / ${fmt(cold.items)}` : '—',
      name === 'valid' && r.validSource === 'carved' ? 'carved' : sr.source.split('/').pop()!,
    ];
  };
  const lines = [
    `dataset ${s.name}: ${fmt(s.nUsers)} users × ${fmt(s.nItems)} items (sizes from ${r.sizeSource.users === 'stats.json' ? 'stats.json' : 'max id + 1'}), ` +
      `${fmt(s.interactions.total)} interactions, density ${s.density.toExponential(3)}`,
    '',
    table([
      ['split', 'interactions', 'users', 'duplicates', 'dropped', 'cold users / items', 'source'],
      splitRow('train'),
      splitRow('valid'),
      splitRow('test'),
    ]),
    '',
    table([
      ['degree', 'min', 'median', 'mean', 'max'],
      ['user (all splits)', ...deg(s.userDegree)],
      ['item (all splits)', ...deg(s.itemDegree)],
      ['user (train)', ...deg(s.trainUserDegree)],
      ['item (train)', ...deg(s.trainItemDegree)],
    ]),
    '',
    `overlaps found: train&valid ${r.overlaps.trainValid}, train&test ${r.overlaps.trainTest}, valid&test ${r.overlaps.validTest} (policy ${r.overlapPolicy}); cold policy ${r.coldPolicy}`,
    `users with ≥1 valid item ${fmt(s.usersWithValid)}, with ≥1 test item ${fmt(s.usersWithTest)}; users / items with train interactions ${fmt(s.usersWithTrain)} / ${fmt(s.itemsWithTrain)}`,
  ];
  if (r.carve) lines.push(`valid carved from train: fraction ${r.carve.fraction}, seed ${r.carve.seed}, ${fmt(r.carve.moved)} moved`);
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}

/** Registers `dtl data stats`, `dtl data synth` and `dtl data import`. */
export function register(program: Command): void {
  const data = program.command('data').description('Dataset tools: statistics and validation of a dataset folder, synthetic data, import of an interaction log');

  data
    .command('stats')
    .description('Load a LightGCN-layout folder (train.txt, optional valid.txt/test.txt/stats.json), validate it and print statistics')
    .requiredOption('--data <dir>', 'dataset folder holding train.txt, optional valid.txt, test.txt and stats.json')
    .addOption(
      new Option('--overlap <policy>', 'pairs found in two splits: error, drop-from-eval (remove from valid/test) or keep')
        .choices(['error', 'drop-from-eval', 'keep'])
        .default('drop-from-eval'),
    )
    .addOption(
      new Option('--cold <policy>', 'valid/test interactions of users or items with no train interaction: keep or drop')
        .choices(['keep', 'drop'])
        .default('keep'),
    )
    .option('--carve-valid <fraction>', 'carve this fraction of each user\'s train items into valid when there is no valid.txt', fraction)
    .option('--seed <n>', 'seed of the validation carve', integer, 2022)
    .option('--json', 'print one JSON object {report, stats} as the last stdout line (human text goes to stderr)', false)
    .action((opts: { data: string; overlap: OverlapPolicy; cold: ColdPolicy; carveValid?: number; seed: number; json: boolean }) => {
      const out = createOutput(opts.json);
      const t0 = performance.now();
      const { data: loaded, report } = loadDataset(opts.data, {
        overlap: opts.overlap,
        cold: opts.cold,
        ...(opts.carveValid !== undefined ? { carveValid: { fraction: opts.carveValid, seed: opts.seed } } : {}),
      });
      const loadMs = performance.now() - t0;
      const stats = datasetStats(loaded);
      out.info(`loaded ${report.dir} in ${loadMs.toFixed(0)} ms`);
      out.result({ report, stats, loadMs: Math.round(loadMs) }, () => prettyStats(stats, report));
    });

  data
    .command('synth')
    .description(
      'Write a seeded synthetic dataset with a planted item taxonomy: train/valid/test.txt + stats.json, ' +
        'truth/preferences.txt (held-out likes, LightGCN layout), truth/item-paths.txt (item: 0-2-1), truth/user-topics.json',
    )
    .requiredOption('--out <dir>', 'output folder (created if missing; existing files are overwritten)')
    .addOption(
      new Option('--preset <name>', 'size preset: tiny (~300 users × 200 items) or default (~3000 × 1500)')
        .choices(Object.keys(SYNTHETIC_PRESETS))
        .default('default'),
    )
    .option('--seed <n>', 'random seed (same seed, same dataset)', integer, 2022)
    .option('--json', 'print one JSON summary object as the last stdout line', false)
    .action((opts: { out: string; preset: SyntheticPreset; seed: number; json: boolean }) => {
      const out = createOutput(opts.json);
      const { data: synth, truth, params } = generateSynthetic({ preset: opts.preset, seed: opts.seed });
      writeLightGcnDataset(opts.out, synth, { generator: { preset: opts.preset, seed: opts.seed, params } });
      writeLightGcnFile(join(opts.out, 'truth', 'preferences.txt'), truth.preferences);
      const paths = truth.itemPaths.map((p, i) => `${i}: ${p.join('-')}`).join('\n') + '\n';
      mkdirSync(join(opts.out, 'truth'), { recursive: true });
      writeFileSync(join(opts.out, 'truth', 'item-paths.txt'), paths);
      writeFileSync(join(opts.out, 'truth', 'user-topics.json'), JSON.stringify(truth.userTopics) + '\n');
      const stats = datasetStats(synth);
      const summary = {
        out: opts.out,
        preset: opts.preset,
        seed: opts.seed,
        nUsers: stats.nUsers,
        nItems: stats.nItems,
        interactions: stats.interactions,
        heldOutPreferences: truth.preferences.indices.length,
      };
      out.result(summary, () =>
        `wrote ${opts.out}: ${fmt(stats.nUsers)} users × ${fmt(stats.nItems)} items, train ${fmt(stats.interactions.train)}, ` +
        `valid ${fmt(stats.interactions.valid)}, test ${fmt(stats.interactions.test)}, held-out preferences ${fmt(summary.heldOutPreferences)} ` +
        `(taxonomy branching ${params.branching}, depth ${params.depth})`,
      );
    });

  registerImport(data);
}
