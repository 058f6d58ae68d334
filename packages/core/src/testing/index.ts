export { describeFalseNegativeJudgeContract } from './judge-contract.ts';
export type { JudgeContractOptions } from './judge-contract.ts';
export { describeNegativeSamplerContract, createSamplerContractFixture } from './sampler-contract.ts';
export type { NegativeSamplerContractOptions, SamplerContractFixture } from './sampler-contract.ts';
export { createFakeModelView } from './fake-model.ts';
export type { FakeModelView, FakeModelViewOptions } from './fake-model.ts';
export { describeCfModelContract, createCfModelContractFixture } from './model-contract.ts';
export type { CfModelContractOptions, CfModelContractFixture, CfModelContractOptimizer } from './model-contract.ts';
