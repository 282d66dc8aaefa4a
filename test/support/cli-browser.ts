// A `BROWSER` for fbroker's tests against the stand-in broker (cli-broker-stub.ts): follows the redirects of the URL
// it is given (as a browser whose user is already signed in would) until the loopback callback answers. Exits 0 when
// the last page is a 2xx.

let url = process.argv.at(-1) ?? '';
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
