// One structured logger per process (Powertools). Audit records and operational logs go through it; nothing
// that is a token, assertion, secret, cookie or authorization code is ever passed to it.

import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'federation-broker' });
