// `npm start`: the whole broker locally on its embedded defaults (see README "Local development").
// PORT (default 3000), HOST (default 127.0.0.1), BROKER_CONFIG, AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL_DYNAMODB,
// BROKER_METRICS (text: readable metric lines, the default here; emf; off).

import { isAbsolute, relative } from 'node:path';
import { startLocalStack } from './stack.ts';

const port = process.env.PORT === undefined ? 3000 : Number(process.env.PORT);
const host = process.env.HOST ?? '127.0.0.1';
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be a port number, not "${process.env.PORT}"`);
  process.exit(2);
}

const configShown = (file: string): string => {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
};

const stack = await startLocalStack({ port, host });
const lines = [
  '',
  `federation-broker is running on ${stack.url}`,
  `  config     ${configShown(stack.configFile)}`,
  `  DynamoDB   ${process.env.AWS_ENDPOINT_URL_DYNAMODB}${stack.sts || process.env.AWS_ENDPOINT_URL_DYNAMODB?.includes('127.0.0.1') ? ' (embedded dynalite)' : ''}`,
  `  STS        ${process.env.AWS_ENDPOINT_URL_STS}${stack.sts ? ' (offline emulator: credentials are fake)' : ''}`,
];
if (stack.idp) {
  lines.push(`  dev IdP    ${stack.idp.issuer} (OIDC)`);
  if (stack.samlIdp) lines.push(`  dev IdP    ${stack.samlIdp.entityId} (SAML; IdP-initiated: ${new URL(stack.samlIdp.ssoUrl).origin}/idp/start?user=alice)`);
  lines.push('', `Open ${stack.url}/ and sign in with the OIDC or the SAML development IdP.`, '', 'Demo users (development only; the SAML IdP asks no password):');
  for (const user of stack.idp.users) lines.push(`  ${user.username.padEnd(6)} password ${user.password.padEnd(22)} ${user.description}`);
  lines.push(
    '',
    'CLI sign-in with fbroker (docs/cli.md): sign in as alice in the browser it opens, then ask for credentials:',
    '  npm run build:cli',
    `  node cli/dist/fbroker.mjs login --broker ${stack.url}`,
    `  node cli/dist/fbroker.mjs credentials --broker ${stack.url} --role dev-readonly`,
    '',
    'No browser (development helper, types the demo password):',
    `  node_modules/.bin/node tools/credential-process.ts --broker ${stack.url} --issuer ${stack.idp.issuer} --user alice --role dev-readonly`,
  );
}
lines.push('', `Metrics: ${process.env.BROKER_METRICS === 'off' ? 'off' : process.env.BROKER_METRICS === 'emf' ? 'EMF lines on stdout' : 'one "metric FederationBroker/…" line each on stdout'} (BROKER_METRICS=text|emf|off; docs/operations.md#metrics).`);
lines.push('', 'Press Ctrl+C to stop.', '');
console.log(lines.join('\n'));

let stopping = false;
const shutdown = (): void => {
  if (stopping) return;
  stopping = true;
  void stack.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
