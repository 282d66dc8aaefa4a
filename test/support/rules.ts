// Helpers shared by the rules-engine tables.

import { evaluateCondition, parseOperator, type Claims } from '../../shared/rules/index.ts';

/** One condition (operator key as in the config) over one claim's values. */
export const check = (operatorKey: string, claimValues: readonly string[], conditions: readonly string[]): boolean => {
  const op = parseOperator(operatorKey);
  if (op === undefined) throw new Error(`test table names an unknown operator: ${operatorKey}`);
  return evaluateCondition(op, claimValues, conditions);
};

/** A claims object with a null prototype, exactly as the engine receives it. */
export const claimsOf = (entries: Record<string, readonly string[]>): Claims =>
  Object.assign(Object.create(null) as Record<string, readonly string[]>, entries);
