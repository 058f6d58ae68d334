import { mkdirSync } from 'node:fs';
import { writeFileAtomic } from '@dtl/core/node';
import { dirname, resolve } from 'node:path';
import { DtlError } from '@dtl/core';
import { readRuns } from './read-run.ts';
import type { ReadRunOptions } from './read-run.ts';
import { renderReportHtml } from './render-report.ts';
import type { RenderReportOptions } from './render-report.ts';

export interface WriteReportOptions extends RenderReportOptions, ReadRunOptions {}

export interface WriteReportResult {
  /** Absolute path of the written HTML file. */
  readonly path: string;
  /** Number of runs in the report. */
  readonly runs: number;
}

/** Default output path: `<run>/report.html` for one run, `report.html` in `cwd` for several. */
export function defaultReportPath(runDirs: readonly string[], cwd: string = process.cwd()): string {
  return runDirs.length === 1 ? resolve(runDirs[0]!, 'report.html') : resolve(cwd, 'report.html');
}

/**
 * Reads the run directories (train runs from `dtl train`, pipeline runs from `dtl run`), renders
 * one self-contained HTML report and writes it atomically to `outFile` (parent folders created).
 */
export async function writeReport(runDirs: readonly string[], outFile: string, options: WriteReportOptions = {}): Promise<WriteReportResult> {
  const runs = readRuns(runDirs, options);
  const html = await renderReportHtml(runs, options);
  const path = resolve(outFile);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomic(path, html);
  } catch (cause) {
    throw new DtlError('IO_ERROR', `${path}: cannot write the report (${(cause as Error).message})`, { cause });
  }
  return { path, runs: runs.length };
}
