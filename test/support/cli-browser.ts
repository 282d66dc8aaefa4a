// A `BROWSER` for fbroker's tests: follows the redirects of the URL it is given (as a browser whose user is
// already signed in would) until the loopback callback answers. Exits 0 when the last page is a 2xx.

const start = process.argv.at(-1) ?? '';
let url = start;
// --forge-first: another local program calls the loopback listener first, with a code and a state of its own.
if (process.argv.includes('--forge-first')) {
  const redirectUri = new URL(new URL(start).searchParams.get('redirect_uri') ?? '');
  redirectUri.search = new URLSearchParams({ code: 'forged', state: 'forged-state', iss: new URL(start).origin }).toString();
  const forged = await fetch(redirectUri);
  if (forged.status !== 400) process.exit(2);
}
for (let hop = 0; hop < 10; hop += 1) {
  const response = await fetch(url, { redirect: 'manual' });
  await response.body?.cancel();
  const location = response.headers.get('location');
  if (response.status >= 300 && response.status < 400 && location !== null) {
    url = new URL(location, url).href;
    continue;
  }
  process.exit(response.ok ? 0 : 1);
}
process.exit(1);
