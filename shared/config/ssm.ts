// The SSM adapter for `ssm:/path` secret references: SecureString parameters, decrypted, read in batches of 10.

import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';

export const resolveSsmParameters = async (names: readonly string[], client = new SSMClient({})): Promise<ReadonlyMap<string, string>> => {
  const out = new Map<string, string>();
  for (let i = 0; i < names.length; i += 10) {
    const page = await client.send(new GetParametersCommand({ Names: names.slice(i, i + 10), WithDecryption: true }));
    for (const p of page.Parameters ?? []) if (p.Name && p.Value !== undefined) out.set(p.Name, p.Value);
  }
  return out;
};
