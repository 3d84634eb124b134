// Drives switchyard-relay's /sockjs with the real sockjs-client package, once per transport.
// usage: node sockjs_client_check.js <node_modules dir> <port> <transport>
// Raw mode: two clients exchange chat text on `global`. Native mode: a client subscribes,
// publishes, gets its ack and the message with a sequence number. Exits 0 when all held.
'use strict';
const path = require('path');
const [modules, port, transport] = process.argv.slice(2);
const SockJS = require(path.join(modules, 'sockjs-client'));
const url = `http://127.0.0.1:${port}/sockjs`;
const deadline = setTimeout(() => fail('timed out'), 20000);

function fail(why) {
  console.error(`FAIL [${transport}] ${why}`);
  process.exit(1);
}

function open(label) {
  return new Promise((resolve, reject) => {
    const sock = new SockJS(url, null, { transports: [transport] });
    sock.received = [];
    sock.waiters = [];
    sock.onmessage = (e) => {
      sock.received.push(e.data);
      sock.waiters = sock.waiters.filter((w) => !w(e.data));
    };
    sock.onopen = () => {
      if (sock.transport !== transport) reject(new Error(`${label} used ${sock.transport}`));
      else resolve(sock);
    };
    sock.onclose = (e) => { sock.closed = e; };
  });
}

function waitFor(sock, pred) {
  return new Promise((resolve) => {
    const hit = sock.received.find(pred);
    if (hit !== undefined) return resolve(hit);
    sock.waiters.push((d) => { if (pred(d)) { resolve(d); return true; } return false; });
  });
}

async function main() {
  // Raw mode, as a plain SockJS chat: text in, the same text out on every session.
  const a = await open('a');
  const b = await open('b');
  const text = `hello over ${transport} ${Date.now()}`;
  // Give both sessions a moment to finish their automatic subscription to `global`.
  await new Promise((r) => setTimeout(r, 300));
  a.send(text);
  await waitFor(a, (d) => d === text);
  await waitFor(b, (d) => d === text);
  b.send('reply from b');
  await waitFor(a, (d) => d === 'reply from b');

  // Native mode: the first frame is a protocol frame.
  const n = await open('native');
  n.send(JSON.stringify({ type: 'subscribe', channels: ['room-sockjs'] }));
  const hello = JSON.parse(await waitFor(n, (d) => d.includes('"type":"hello"')));
  if (!hello.server || !hello.session) fail('bad hello ' + JSON.stringify(hello));
  await waitFor(n, (d) => d.includes('"type":"subscribed"'));
  n.send(JSON.stringify({ type: 'publish', channel: 'room-sockjs', data: { x: 1 }, id: 'n-1' }));
  const ack = JSON.parse(await waitFor(n, (d) => d.includes('"type":"ack"')));
  const msg = JSON.parse(await waitFor(n, (d) => d.includes('"type":"message"')));
  if (ack.id !== 'n-1' || msg.seq !== ack.seq || msg.data.x !== 1)
    fail(`native mismatch ack=${JSON.stringify(ack)} msg=${JSON.stringify(msg)}`);
  // Native sessions do not get raw chat text.
  a.send('raw after native');
  await waitFor(b, (d) => d === 'raw after native');
  if (n.received.includes('raw after native')) fail('native session got raw text');

  for (const s of [a, b, n]) s.close();
  clearTimeout(deadline);
  console.log(`OK [${transport}]`);
  setTimeout(() => process.exit(0), 100);
}

main().catch((e) => fail(e.stack || String(e)));
