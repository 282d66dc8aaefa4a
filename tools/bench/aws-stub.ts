// Canned AWS answers for the bench, at the SDK's transport: STS AssumeRole / AssumeRoleWithWebIdentity (Query
// protocol, XML) and DynamoDB PutItem (JSON 1.0, `{}`: every claim is a first use), and for a transport that
// remembers its items, GetItem (a broker session's record, for POST /token with a session). Two transports share them:
// an in-process `requestHandler` for warm runs (no socket at all) and an HTTPS server on 127.0.0.1 for cold
// starts, where the bundle is a sealed file and its clients are reached through AWS_ENDPOINT_URL_STS / _DYNAMODB.
// HTTPS as in Lambda: the SDK loads `node:http` only for http: endpoints, and a TLS handshake is part of a real
// first call. The certificate is made per run (selfsigned) and trusted by the child through NODE_EXTRA_CA_CERTS.
// Nothing here validates like the real services do: tools/local/sts-emulator.ts is the faithful one.

import { rfc3339 } from '../../shared/time.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface AwsAnswer {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface CallCounts {
  readonly calls: Map<string, number>;
  /** The first request body seen per operation (to compare what two callers sent). */
  readonly firstBodies: Map<string, string>;
}

const REQUEST_ID = '00000000-0000-4000-8000-000000000000';
// Realistic sizes: the XML parser and the credential copy do the work they do on a real answer.
const SESSION_TOKEN = `IQoJb3JpZ2luX2VjE${'BENCHFAKE0123456789abcdefghijklmnopqrstuvwxyz'.repeat(16)}`;

const xmlEscape = (s: string): string => s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);

const stsSuccess = (action: string, params: URLSearchParams, now: Date): string => {
  const seconds = Number(params.get('DurationSeconds') ?? 3600);
  const expiration = rfc3339(new Date(now.getTime() + seconds * 1000));
  const roleArn = params.get('RoleArn') ?? '';
  const session = params.get('RoleSessionName') ?? '';
  const account = /::(\d{12}):/.exec(roleArn)?.[1] ?? '000000000000';
  const source = params.get('SourceIdentity');
  return `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <${action}Result>
    ${source === null ? '' : `<SourceIdentity>${xmlEscape(source)}</SourceIdentity>`}
    <AssumedRoleUser>
      <Arn>arn:aws:sts::${account}:assumed-role/${xmlEscape(roleArn.split('/').pop() ?? '')}/${xmlEscape(session)}</Arn>
      <AssumedRoleId>AROABENCHFAKE0000000:${xmlEscape(session)}</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <AccessKeyId>ASIABENCHFAKE0000000</AccessKeyId>
      <SecretAccessKey>benchFakeSecretAccessKey0000000000000000</SecretAccessKey>
      <SessionToken>${SESSION_TOKEN}</SessionToken>
      <Expiration>${expiration}</Expiration>
    </Credentials>
    <PackedPolicySize>6</PackedPolicySize>
  </${action}Result>
  <ResponseMetadata><RequestId>${REQUEST_ID}</RequestId></ResponseMetadata>
</${action}Response>`;
};

const stsError = (code: string): AwsAnswer => ({
  statusCode: 400,
  headers: { 'content-type': 'text/xml', 'x-amzn-requestid': REQUEST_ID },
  body: `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>not stubbed</Message></Error><RequestId>${REQUEST_ID}</RequestId></ErrorResponse>`,
});

/** Items a transport remembers (by `pk`), so that GetItem finds what PutItem wrote: a broker session's record. */
export type StubTable = Map<string, unknown>;

const dynamoOk = (body: string): AwsAnswer => ({ statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': REQUEST_ID }, body });
const pkOf = (item: unknown): string | undefined => (item as { pk?: { S?: string } } | undefined)?.pk?.S;

/** The canned answer to one signed SDK request (headers lower-cased). Unknown operations get a 400. */
export const answerAws = (headers: Readonly<Record<string, string>>, body: string, now = new Date(), table?: StubTable): { operation: string; answer: AwsAnswer } => {
  const target = headers['x-amz-target'];
  if (target !== undefined) {
    const operation = target.slice(target.indexOf('.') + 1);
    if (target.startsWith('DynamoDB_20120810.') && operation === 'PutItem') {
      if (table !== undefined) {
        const { Item } = JSON.parse(body) as { Item?: unknown };
        const pk = pkOf(Item);
        if (pk !== undefined) table.set(pk, Item);
      }
      return { operation, answer: dynamoOk('{}') };
    }
    if (target.startsWith('DynamoDB_20120810.') && operation === 'GetItem' && table !== undefined) {
      const item = table.get(pkOf((JSON.parse(body) as { Key?: unknown }).Key) ?? '');
      return { operation, answer: dynamoOk(JSON.stringify(item === undefined ? {} : { Item: item })) };
    }
    if (target === 'AmazonSSM.GetParameters') {
      // Every parameter exists: a SecureString whose value is derived from its name (≥ 32 bytes, for sealing secrets).
      const { Names = [] } = JSON.parse(body) as { Names?: string[] };
      const parameters = Names.map((name) => ({ Name: name, Type: 'SecureString', Value: `bench-ssm-value-${name}-0123456789abcdefghijklmnopqrstuvwxyz`, Version: 1 }));
      return { operation, answer: { statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': REQUEST_ID }, body: JSON.stringify({ Parameters: parameters, InvalidParameters: [] }) } };
    }
    return {
      operation,
      answer: { statusCode: 400, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: JSON.stringify({ __type: 'com.amazon.coral.service#UnknownOperationException' }) },
    };
  }
  const params = new URLSearchParams(body);
  const action = params.get('Action') ?? '(none)';
  if (action === 'AssumeRole' || action === 'AssumeRoleWithWebIdentity') {
    return { operation: action, answer: { statusCode: 200, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': REQUEST_ID }, body: stsSuccess(action, params, now) } };
  }
  return { operation: action, answer: stsError('InvalidAction') };
};

const record = (counts: CallCounts, operation: string, body: string): void => {
  counts.calls.set(operation, (counts.calls.get(operation) ?? 0) + 1);
  if (!counts.firstBodies.has(operation)) counts.firstBodies.set(operation, body);
};

const bodyText = (body: unknown): string => {
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (body === undefined || body === null) return '';
  throw new Error('the bench stub only takes string or byte request bodies');
};

interface SdkRequest {
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

/**
 * An SDK `requestHandler` answering in-process: no socket, no event-loop turn beyond the promise. With
 * `remember`, DynamoDB items put are found again by GetItem (one small table per transport).
 */
export const inProcessAws = (options: { readonly remember?: boolean } = {}) => {
  const table: StubTable | undefined = options.remember === true ? new Map() : undefined;
  const counts: CallCounts = { calls: new Map(), firstBodies: new Map() };
  return {
    ...counts,
    metadata: { handlerProtocol: 'http/1.1' },
    handle: async (request: SdkRequest) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(request.headers)) headers[k.toLowerCase()] = v;
      const body = bodyText(request.body);
      const { operation, answer } = answerAws(headers, body, new Date(), table);
      record(counts, operation, body);
      return { response: { statusCode: answer.statusCode, reason: undefined, headers: answer.headers, body: Buffer.from(answer.body, 'utf8') } };
    },
    updateHttpClientConfig: (): void => undefined,
    httpHandlerConfigs: (): Record<string, never> => ({}),
    destroy: (): void => undefined,
  };
};

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

/** The same answers over HTTPS on 127.0.0.1 (for sealed bundles in child processes); `tls` from selfsigned, CN localhost. */
export const startAwsStubServer = async (tls: { readonly key: string; readonly cert: string }): Promise<CallCounts & { readonly url: string; stop(): Promise<void> }> => {
  const counts: CallCounts = { calls: new Map(), firstBodies: new Map() };
  const server = createServer({ key: tls.key, cert: tls.cert }, (req: IncomingMessage, res: ServerResponse) => {
    void readBody(req).then((body) => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const { operation, answer } = answerAws(headers, body);
      record(counts, operation, body);
      res.writeHead(answer.statusCode, answer.headers).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...counts,
    url: `https://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
};
