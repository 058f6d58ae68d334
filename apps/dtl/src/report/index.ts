export { writeReport, defaultReportPath } from './write-report.ts';
export type { WriteReportOptions, WriteReportResult } from './write-report.ts';
export { renderReportHtml, leakyBadge, COMPARISON_METRICS } from './render-report.ts';
export type { RenderReportOptions } from './render-report.ts';
export { readRun, readRuns, readTrainRun } from './read-run.ts';
export type { ReportRun, TrainRunInfo, EpochPoint, StageTiming, TreeInfo, TreesInfo, MetricMap, ReadRunOptions } from './read-run.ts';
export { renderSvg } from './charts.ts';
export { esc } from './html.ts';
