import type { Command } from 'commander';
import { register as registerTrain } from './train.ts';
import { register as registerExperiment } from './experiment.ts';
import { register as registerRun } from './run.ts';
import { register as registerExportEmb } from './export-emb.ts';
import { register as registerData } from './data.ts';
import { register as registerEval } from './eval.ts';
import { register as registerJudge } from './judge.ts';
import { register as registerTrees } from './trees.ts';
import { register as registerReport } from './report.ts';
import { register as registerRecommend } from './recommend.ts';

/**
 * Every `dtl` command lives in its own file exporting `register(program)`; add it to this list.
 * Keep one import per line so parallel work on different commands never conflicts.
 */
const registrations: Array<(program: Command) => void> = [
  registerData,
  registerEval,
  registerTrain,
  registerExperiment,
  registerRun,
  registerExportEmb,
  registerJudge,
  registerTrees,
  registerReport,
  registerRecommend,
];

export function registerCommands(program: Command): void {
  for (const register of registrations) register(program);
}
