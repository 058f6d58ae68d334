/**
 * `@dtl/models/tfjs`: models written with TensorFlow.js autodiff — the `TfjsModel` adapter and the
 * two-tower model. A separate entry point because their types reference `@tensorflow/tfjs`, an
 * optional peer dependency: `@dtl/models`' main type files compile (`skipLibCheck: false`) without
 * tfjs, and only code that imports this entry needs it. At run time neither file imports tfjs: the
 * namespace comes from `loadTfjs()` (`@dtl/kernels/tfjs`).
 */
export { createTfjsModel } from './tfjs-model.ts';
export type { TfjsModel, TfjsModelDefinition, TfjsModelOptions, TfjsModelParts, TfjsModelContext, TfjsLayers } from './tfjs-model.ts';
export { createTwoTowerModel, twoTowerDefinition } from './two-tower.ts';
export type { TwoTowerOptions, TowerActivation } from './two-tower.ts';
