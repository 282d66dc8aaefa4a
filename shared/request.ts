// The facts of one request that every layer may read: who asked (request id, source address), decoded by the
// HTTP layer from the API Gateway event and passed down as a plain value.

export interface RequestContext {
  readonly requestId: string;
  readonly sourceIp?: string | undefined;
  readonly userAgent?: string | undefined;
}
