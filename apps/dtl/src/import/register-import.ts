import { Option } from 'commander';
import type { Command } from 'commander';
import { createOutput } from '../output.ts';
import { finiteNumber, fraction, integer, nonNegativeInt } from '../commands/option-parsers.ts';
import { COLD_POLICY, IMPORT_DEFAULTS, runImport } from './run-import.ts';
import type { ImportSummary } from './run-import.ts';
import { INPUT_FORMATS } from './source.ts';
import type { InputFormat } from './source.ts';
import { SPLIT_KINDS } from './split.ts';
import type { SplitKind } from './split.ts';

interface ImportCliOptions {
  input: string;
  format: InputFormat;
  sep?: string;
  header: boolean;
  user: string;
  item: string;
  rating?: string;
  minRating?: number;
  time?: string;
  kcore: number;
  split: SplitKind;
  valid: number;
  test: number;
  seed: number;
  out: string;
  json?: boolean;
}

function pretty(s: ImportSummary): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const cold = (c: ImportSummary['cold']['test']) => `${n(c.interactions)} interactions (${n(c.users)} users, ${n(c.items)} items)`;
  return [
    `imported ${s.input} (${s.format}${s.separator !== undefined ? `, separator ${JSON.stringify(s.separator)}` : ''}${s.header ? ', header' : ', no header'}) → ${s.out}`,
    `columns: ${Object.entries(s.columns).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}`,
    `rows ${n(s.rows)}; below --min-rating ${n(s.belowMinRating)}; duplicates removed ${n(s.duplicates)}` +
      (s.kcore ? `; ${s.kcore.k}-core removed ${n(s.kcore.removed)} in ${s.kcore.iterations} passes` : ''),
    `split ${s.split.kind}${s.split.kind === 'leave-last' ? '' : ` (valid ${s.split.valid}, test ${s.split.test})`}` +
      `: train ${n(s.interactions.train)}, valid ${n(s.interactions.valid)}, test ${n(s.interactions.test)}`,
    `cold policy ${s.coldPolicy}`,
    `cold dropped: valid ${cold(s.cold.valid)}; test ${cold(s.cold.test)}; users / items left with no interaction: ${n(s.droppedUsers)} / ${n(s.droppedItems)}`,
    `${n(s.users)} users × ${n(s.items)} items; wrote train.txt, ${s.interactions.valid > 0 ? 'valid.txt, ' : ''}test.txt, users.tsv, items.tsv, stats.json in ${s.seconds.toFixed(1)} s`,
  ].join('\n');
}

/** Adds `dtl data import` to the `data` command. DuckDB is loaded only when the command runs. */
export function registerImport(data: Command): void {
  const d = IMPORT_DEFAULTS;
  data
    .command('import')
    .description(
      'Import an interaction log (CSV/TSV/Parquet/JSONL, any string ids) into a dataset folder: train/valid/test.txt, ' +
        'users.tsv and items.tsv (dense index → original id), stats.json. Dedup, optional k-core, random/temporal/leave-last split',
    )
    .requiredOption('--input <file>', 'the log: .csv, .tsv, .inter (RecBole, typed headers like user_id:token), .parquet, .jsonl, or any delimited text (u.data, ratings.dat)')
    .addOption(new Option('--format <f>', 'input format (auto = by extension; unknown extensions are delimited text)').choices([...INPUT_FORMATS]).default(d.format))
    .option('--sep <str>', "separator of delimited text, any length ('\\t' or tab, '::' for MovieLens ratings.dat); default: sniffed from line 1")
    .option('--no-header', 'the file has no header line: give columns as 0-based indices')
    .requiredOption('--user <col>', 'user column: a name or a 0-based index')
    .requiredOption('--item <col>', 'item column: a name or a 0-based index')
    .option('--rating <col>', 'rating column (validated; with --min-rating turns ratings into implicit feedback)')
    .option('--min-rating <x>', 'keep interactions with rating ≥ X', finiteNumber)
    .option('--time <col>', 'time column: unix seconds (any number) or a date/timestamp; needed by --split temporal and leave-last')
    .option('--kcore <n>', 'iterative k-core: drop users and items with fewer than N interactions until none is left (0 = off)', nonNegativeInt, d.kcore)
    .addOption(
      new Option('--split <kind>', 'random = per user, seeded; temporal = global time cut (last --test fraction of interactions by time is test, the slice before it valid); leave-last = each user\'s last is test, the one before valid')
        .choices([...SPLIT_KINDS])
        .default(d.split),
    )
    .option('--valid <f>', 'validation fraction (0 = no valid.txt; training then carves one)', fraction, d.valid)
    .option('--test <f>', 'test fraction', fraction, d.test)
    .option('--seed <s>', 'seed of the random split (same seed, same split)', integer, d.seed)
    .requiredOption('--out <dir>', 'output dataset folder (created; existing files are overwritten)')
    .option('--json', 'print one JSON object with the counts as the last stdout line')
    .addHelpText('after', `\nCold policy: ${COLD_POLICY}.`)
    .action(async (opts: ImportCliOptions) => {
      const out = createOutput(Boolean(opts.json));
      const summary = await runImport({
        input: opts.input,
        format: opts.format,
        sep: opts.sep,
        header: opts.header,
        user: opts.user,
        item: opts.item,
        rating: opts.rating,
        minRating: opts.minRating,
        time: opts.time,
        kcore: opts.kcore,
        split: opts.split,
        valid: opts.valid,
        test: opts.test,
        seed: opts.seed,
        out: opts.out,
        onInfo: (line) => out.info(line),
      });
      out.result(summary, () => pretty(summary));
    });
}
