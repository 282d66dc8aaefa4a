// The SSM adapter for `ssm:/path` secret references: SecureString parameters, decrypted, read in batches of 10, with
// the client the composition gives (the same timeouts and retry bounds as every other AWS client of the broker).

import { GetParametersCommand, type SSMClient } from '@aws-sdk/client-ssm';
import type { SsmResolver } from './resolve.ts';

export const createSsmResolver =
  (client: SSMClient): SsmResolver =>
  async (names) => {
    const out = new Map<string, string>();
    for (let i = 0; i < names.length; i += 10) {
      const page = await client.send(new GetParametersCommand({ Names: names.slice(i, i + 10), WithDecryption: true }));
      for (const p of page.Parameters ?? []) if (p.Name && p.Value !== undefined) out.set(p.Name, p.Value);
    }
    return out;
  };
