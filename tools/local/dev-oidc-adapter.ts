// In-memory storage for the development IdP, one store per IdP instance (oidc-provider's built-in memory adapter
// is shared by every instance in the process and warns on start). Development and tests only.

type Payload = Record<string, unknown>;

interface Entry {
  readonly payload: Payload;
  readonly expiresAt: number;
}

/** Models whose records die with their grant (oidc-provider's revokeByGrantId). */
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);
const SWEEP_ABOVE = 5000;

export interface DevAdapter {
  upsert(id: string, payload: Payload, expiresIn?: number): Promise<void>;
  find(id: string): Promise<Payload | undefined>;
  findByUid(uid: string): Promise<Payload | undefined>;
  findByUserCode(userCode: string): Promise<Payload | undefined>;
  consume(id: string): Promise<void>;
  destroy(id: string): Promise<void>;
  revokeByGrantId(grantId: string): Promise<void>;
}

export const createDevAdapterFactory = (now: () => number = Date.now): ((model: string) => DevAdapter) => {
  const store = new Map<string, Entry>();
  const index = new Map<string, string>(); // `uid:<uid>` / `userCode:<code>` → record key
  const grants = new Map<string, Set<string>>();

  const get = (key: string | undefined): Payload | undefined => {
    const entry = key === undefined ? undefined : store.get(key);
    if (!entry || key === undefined) return undefined;
    if (entry.expiresAt > now()) return entry.payload;
    store.delete(key);
    return undefined;
  };
  const sweep = (): void => {
    for (const [key, entry] of store) if (entry.expiresAt <= now()) store.delete(key);
  };

  return (model) => {
    const keyOf = (id: string): string => `${model}:${id}`;
    return {
      async upsert(id, payload, expiresIn) {
        if (store.size > SWEEP_ABOVE) sweep();
        const key = keyOf(id);
        store.set(key, { payload, expiresAt: typeof expiresIn === 'number' ? now() + expiresIn * 1000 : Number.POSITIVE_INFINITY });
        if (typeof payload.uid === 'string') index.set(`uid:${payload.uid}`, key);
        if (typeof payload.userCode === 'string') index.set(`userCode:${payload.userCode}`, key);
        if (GRANTABLE.has(model) && typeof payload.grantId === 'string') {
          grants.set(payload.grantId, (grants.get(payload.grantId) ?? new Set()).add(key));
        }
      },
      find: async (id) => get(keyOf(id)),
      findByUid: async (uid) => get(index.get(`uid:${uid}`)),
      findByUserCode: async (userCode) => get(index.get(`userCode:${userCode}`)),
      async consume(id) {
        const payload = get(keyOf(id));
        if (payload) payload.consumed = Math.floor(now() / 1000);
      },
      async destroy(id) {
        store.delete(keyOf(id));
      },
      async revokeByGrantId(grantId) {
        for (const key of grants.get(grantId) ?? []) store.delete(key);
        grants.delete(grantId);
      },
    };
  };
};
