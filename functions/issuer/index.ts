// Placeholder: answers 501 NOT_IMPLEMENTED until its issue lands (see README "Status").
import { BrokerError } from '../../shared/errors.ts';
import { brokerHandler } from '../../shared/http/handler.ts';

export const handler = brokerHandler('api', async () => {
  throw new BrokerError('NOT_IMPLEMENTED');
});
