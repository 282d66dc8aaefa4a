// The config validator as the functions ship it: a second entry point of each (functions/<fn>/config.ts), loaded by
// the cold start only when no pre-validated config fits (compose/broker.ts, shared/config/prevalidated.ts).
export { validateConfigText } from '../config/validate.ts';
