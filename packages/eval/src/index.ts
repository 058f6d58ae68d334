export { evaluateRanking } from './evaluate-ranking.ts';
export type { EvaluateRankingOptions, RankingEvaluation, PerUserMetrics, BatchScorer } from './evaluate-ranking.ts';
export { userMetrics, accumulateUserMetrics, metricRecord, rankDiscounts, METRIC_NAMES, DEFAULT_KS } from './metrics.ts';
export type { MetricName } from './metrics.ts';
export { fniMetrics } from './fni-metrics.ts';
export type { FniMetrics, FniMetricsInput, FniCandidates } from './fni-metrics.ts';
