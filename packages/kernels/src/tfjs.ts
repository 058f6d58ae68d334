/**
 * `@dtl/kernels/tfjs`: the TensorFlow.js backend loader. A separate entry point because its types
 * reference `@tensorflow/tfjs`, an optional peer dependency: the main entry's type files compile
 * (`skipLibCheck: false`) without tfjs installed, and only code that imports this entry needs it.
 */
export { loadTfjs, registerSegmentSum } from './tfjs-backend.ts';
export type { Tfjs, TfjsBackendName, LoadTfjsOptions, LoadedTfjs } from './tfjs-backend.ts';
