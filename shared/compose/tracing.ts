// Tracing (template parameter Tracing=true → BROKER_TRACING): Powertools Tracer on AWS X-Ray, a subsegment per
// invocation and one per outgoing HTTPS call (STS, DynamoDB, KMS, SSM, the IdPs' discovery and JWKS). This module is
// the functions' third bundle (functions/<fn>/tracing.ts): the X-Ray SDK is loaded only when tracing is on.
// Responses are never captured: a response body holds AWS credentials.

import type { MiddlewareObj } from '@middy/core';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';

export const createTracing = (): MiddlewareObj => captureLambdaHandler(new Tracer(), { captureResponse: false });
