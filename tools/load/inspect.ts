// The broker's heap after a full garbage collection, read through the inspector protocol of its process
// (`--inspect=127.0.0.1:0`, loopback only, for the load run): RSS alone cannot tell a leak from a heap that has
// grown to its working size, heap-after-GC can.

export interface MemoryUsage {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

export interface HeapProbe {
  /** Collects garbage, then reads process.memoryUsage() inside the broker. */
  measure(): Promise<MemoryUsage>;
  close(): void;
}

interface Reply {
  readonly id: number;
  readonly result?: { result?: { value?: unknown } };
  readonly error?: { message: string };
}

export const connectInspector = async (webSocketUrl: string, timeoutMs = 10_000): Promise<HeapProbe> => {
  const ws = new WebSocket(webSocketUrl);
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve(), { once: true });
    ws.addEventListener('error', () => reject(new Error('the broker inspector refused the connection')), { once: true });
  });
  let nextId = 0;
  const waiting = new Map<number, (reply: Reply) => void>();
  ws.addEventListener('message', (event) => {
    const reply = JSON.parse(String(event.data)) as Reply;
    waiting.get(reply.id)?.(reply);
  });
  const call = (method: string, params: Record<string, unknown> = {}): Promise<Reply['result']> =>
    new Promise((resolve, reject) => {
      const id = ++nextId;
      const timer = setTimeout(() => reject(new Error(`inspector ${method} timed out`)), timeoutMs);
      waiting.set(id, (reply) => {
        clearTimeout(timer);
        waiting.delete(id);
        if (reply.error) reject(new Error(`inspector ${method}: ${reply.error.message}`));
        else resolve(reply.result);
      });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    measure: async () => {
      await call('HeapProfiler.collectGarbage');
      const result = await call('Runtime.evaluate', { expression: 'JSON.stringify(process.memoryUsage())', returnByValue: true });
      return JSON.parse(String(result?.result?.value)) as MemoryUsage;
    },
    close: () => ws.close(),
  };
};
