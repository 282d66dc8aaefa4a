// The cold-start reference: a handler that does nothing, bundled with the same BuildProperties as the functions
// (banner and all), so that the ratio counts only what a function adds to a bare Node 24 Lambda.
export const handler = async (): Promise<{ statusCode: number; body: string }> => ({ statusCode: 200, body: 'ok' });
