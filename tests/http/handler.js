// A wasi:http/proxy handler in JavaScript for tests/http/run.sh, made a component by
// `jco componentize` (StarlingMonkey): the same requests get the same answers under
// weld serve and jco serve. /fetch makes an outgoing request with fetch() to the
// server named by the x-upstream header.
addEventListener('fetch', (event) => event.respondWith(handle(event.request)));

async function handle(req) {
  const url = new URL(req.url);
  let text = `method=${req.method} path=${url.pathname} query=${url.search}\n`;
  let status = url.pathname === '/missing' ? 404 : 200;
  if (req.method === 'POST') text += `body=${await req.text()}\n`;
  if (url.pathname === '/fetch') {
    try {
      const r = await fetch(`http://${req.headers.get('x-upstream')}/data`);
      text += `upstream=${r.status}\n${await r.text()}`;
    } catch (e) {
      status = 502;
      text += 'fetch failed\n';
    }
  }
  const headers = { 'content-type': 'text/plain', 'x-weld-test': 'yes' };
  const echo = req.headers.get('x-test-in');
  if (echo !== null) headers['x-test-echo'] = echo;
  return new Response(text, { status, headers });
}
