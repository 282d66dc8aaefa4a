// The tracing bundle of this function (tracing.mjs beside index.mjs), imported only when BROKER_TRACING is on.
export { createTracing } from '../../shared/compose/tracing.ts';
