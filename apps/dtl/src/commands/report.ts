import type { Command } from 'commander';
import { createOutput } from '../output.ts';
import { defaultReportPath, writeReport } from '../report/index.ts';

export function register(program: Command): void {
  program
    .command('report')
    .description('Write one self-contained HTML report (inline SVG charts, no JS, no network) for one or more runs of dtl train / dtl run')
    .argument('<runs...>', 'run directories: a dtl train --out dir (run.json) or a dtl run dir (pipeline.json)')
    .option('--out <file>', 'output HTML file (default: <run>/report.html for one run, ./report.html for several)')
    .option('--title <text>', 'page title (default "DTL-NS report")')
    .option('--json', 'print {"report": path, "runs": n} as the last stdout line')
    .action(async (runs: string[], opts: { out?: string; title?: string; json?: boolean }) => {
      const out = createOutput(Boolean(opts.json));
      const file = opts.out ?? defaultReportPath(runs);
      const result = await writeReport(runs, file, opts.title !== undefined ? { title: opts.title } : {});
      out.result({ report: result.path, runs: result.runs }, () => `wrote ${result.path} (${result.runs} run${result.runs === 1 ? '' : 's'})`);
    });
}
