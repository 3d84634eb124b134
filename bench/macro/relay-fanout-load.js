// Load worker for bench/macro/relay-fanout: opens its share of the receiving clients and
// publishers against one stack, publishes at its share of the rate, and reports deliveries
// and a latency histogram to the parent over IPC. Kept light: latency comes from a string
// scan for "t":, never a full JSON parse.
'use strict';
const path = require('path');
const { performance } = require('perf_hooks');

const BUCKET_MS = 0.1;           // latency histogram resolution
const BUCKETS = 50000;           // up to 5 s; later deliveries land in the last bucket

let cfg, modules;
const hist = new Uint32Array(BUCKETS);
let delivered = 0;
let measuring = false;
const sockets = [];

function now() { return performance.timeOrigin + performance.now(); }

function record(text) {
  const i = text.indexOf('"t":');
  if (i < 0) return;
  const t = parseFloat(text.slice(i + 4, i + 30));
  if (!measuring) return;
  delivered++;
  let b = Math.floor((now() - t) / BUCKET_MS);
  if (b < 0) b = 0;
  if (b >= BUCKETS) b = BUCKETS - 1;
  hist[b]++;
}

function openClient(url, receiver) {
  const { stack } = cfg;
  if (stack === 'socketio') {
    const io = require(path.join(modules, 'socket.io-client'));
    return new Promise((resolve, reject) => {
      const s = io(url, { transports: ['websocket'], forceNew: true, reconnection: false });
      if (receiver) s.on('msg', (d) => record(typeof d === 'string' ? d : JSON.stringify(d)));
      s.on('connect', () => resolve({ send: (text) => s.emit('msg', text), close: () => s.close() }));
      s.on('connect_error', reject);
    });
  }
  const WebSocket = require(path.join(modules, 'ws'));
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    let subscribed = stack !== 'ws' || !receiver;
    const api = {
      send: (text) => ws.send(text),
      close: () => ws.terminate(),
    };
    ws.on('message', (data) => {
      const text = data.toString();
      if (!subscribed) {
        if (text.includes('"type":"subscribed"')) { subscribed = true; resolve(api); }
        return;
      }
      if (receiver) record(text);
    });
    ws.on('open', () => {
      if (stack === 'ws' && receiver) ws.send('{"type":"subscribe","channels":["global"]}');
      else resolve(api);
    });
    ws.on('error', reject);
  });
}

function urlFor(port, id) {
  switch (cfg.stack) {
    case 'ws': return `ws://127.0.0.1:${port}/ws?client=${id}`;
    case 'sockjs':
    case 'sockjs-node': return `ws://127.0.0.1:${port}/sockjs/websocket`;
    case 'socketio': return `http://127.0.0.1:${port}`;
  }
  throw new Error('unknown stack ' + cfg.stack);
}

async function connect() {
  const { ports, clients, publishers, worker } = cfg;
  const receivers = [];
  for (let i = 0; i < clients; i++) {
    const port = ports[(i + worker) % ports.length];
    receivers.push(openClient(urlFor(port, `w${worker}-c${i}`), true));
    if (i % 50 === 49) await Promise.all(receivers.slice(-50));
  }
  await Promise.all(receivers);
  sockets.push(...(await Promise.all(receivers)));
  const pubs = [];
  for (let i = 0; i < publishers; i++)
    pubs.push(await openClient(urlFor(ports[(i + worker + 1) % ports.length], `w${worker}-p${i}`), false));
  return pubs;
}

function publish(pubs, rate, seconds) {
  return new Promise((resolve) => {
    if (pubs.length === 0 || rate <= 0) return setTimeout(resolve, seconds * 1000);
    const start = now();
    let sent = 0;
    const tick = setInterval(() => {
      const due = Math.floor(((now() - start) / 1000) * rate);
      while (sent < due) {
        const p = pubs[sent % pubs.length];
        const body = `{"t":${now().toFixed(3)},"n":${sent}}`;
        p.send(cfg.stack === 'ws' ? `{"type":"publish","channel":"global","data":${body}}` : body);
        sent++;
      }
      if (now() - start >= seconds * 1000) {
        clearInterval(tick);
        resolve(sent);
      }
    }, 5);
  });
}

process.on('message', async (msg) => {
  try {
    if (msg.cmd === 'connect') {
      cfg = msg.cfg;
      modules = msg.modules;
      cfg.pubs = await connect();
      process.send({ ok: 'connected' });
    } else if (msg.cmd === 'run') {
      hist.fill(0);
      delivered = 0;
      measuring = true;
      const sent = await publish(cfg.pubs, msg.rate, msg.seconds);
      process.send({ ok: 'published', sent });
    } else if (msg.cmd === 'collect') {
      measuring = false;
      process.send({ ok: 'collected', delivered, hist: Array.from(hist) });
    } else if (msg.cmd === 'count') {
      process.send({ ok: 'count', delivered });
    } else if (msg.cmd === 'exit') {
      for (const s of sockets.concat(cfg.pubs || [])) s.close();
      setTimeout(() => process.exit(0), 50);
    }
  } catch (e) {
    process.send({ error: String(e && e.stack || e) });
  }
});
