export * from './types.ts';
export * from './claims.ts';
export * from './operators.ts';
export * from './decide.ts';
export * from './session.ts';
export * from './duration.ts';
export * from './sanitise.ts';
export * from './template.ts';
export { parseCidr, inCidr, isValidCidr } from './ip.ts';
