export * from './load.ts';
export * from './check.ts';
export * from './schema.ts';
