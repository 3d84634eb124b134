// bench/macro/relay-fanout driver: the same fan-out load, in one run, against
//   ws          switchyard-relay /ws (native protocol)
//   sockjs      switchyard-relay raw /sockjs/websocket
//   sockjs-node sockjs-node + Redis, written the ordinary way
//   socketio    Socket.IO + @socket.io/redis-adapter
// each as 3 servers on one fresh redis-server. Prints delivered msg/s, delivery ratio, p50/p99
// latency, CPU-seconds of the server tier and of Redis (from /proc), deliveries per
// CPU-second, and (with --saturation) the highest rate with ratio >= 0.999 and p99 < 100 ms.
'use strict';
const { spawn, fork } = require('child_process');
const fs = require('fs');
const net = require('net');
const path = require('path');

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => {
    if (a.startsWith('--') && a.includes('=')) acc.push([a.slice(2, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]);
    else if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : 'true']);
    return acc;
  }, []));
const opt = {
  relay: args.relay,
  modules: args.modules,
  clients: +(args.clients || 300),
  publishers: +(args.publishers || 10),
  rate: +(args.rate || 200),
  seconds: +(args.seconds || 4),
  servers: +(args.servers || 3),
  workers: +(args.workers || 2),
  stacks: (args.stacks || 'ws,sockjs,sockjs-node,socketio').split(','),
  saturation: args.saturation === 'true',
  satRates: (args['saturation-rates'] || '50,100,200,400,800,1600,3200,6400').split(',').map(Number),
  satSeconds: +(args['saturation-seconds'] || 3),
  json: args.json,
  // The C++ one-thread load generator (bench/micro/relay/relay_fanout_load); node workers
  // (relay-fanout-load.js) are the fallback and cost far more CPU.
  loadgen: args.loadgen,
  // Extra flags for switchyard-relay, e.g. "--coalesce-ms 10".
  relayArgs: args['relay-args'] ? args['relay-args'].split(' ').filter(Boolean) : [],
};
const TICK = 100; // /proc/<pid>/stat clock ticks per second (USER_HZ)
const children = [];
process.on('exit', () => { for (const c of children) try { c.kill('SIGKILL'); } catch (_) {} });
process.on('SIGINT', () => process.exit(130));

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

function start(cmd, argv, readyPattern) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start: ${out}`)), 15000);
    const onData = (d) => {
      out += d.toString();
      const m = out.match(readyPattern);
      if (m) { clearTimeout(timer); resolve({ child, match: m }); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${cmd} exited ${code}: ${out}`)));
  });
}

function cpuSeconds(pid, which = 'both') {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const user = Number(fields[11]) / TICK, sys = Number(fields[12]) / TICK;
    return which === 'user' ? user : which === 'sys' ? sys : user + sys;
  } catch (_) { return 0; }
}

function ask(worker, msg, want) {
  return new Promise((resolve, reject) => {
    const on = (m) => {
      if (m.error) { worker.off('message', on); reject(new Error(m.error)); }
      else if (m.ok === want) { worker.off('message', on); resolve(m); }
    };
    worker.on('message', on);
    worker.send(msg);
  });
}

async function startStack(stack) {
  const redisPort = await freePort();
  const redis = await start('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1',
    '--save', '', '--appendonly', 'no'], /Ready to accept connections/);
  const servers = [];
  for (let i = 0; i < opt.servers; i++) {
    let s;
    if (stack === 'ws' || stack === 'sockjs')
      s = await start(opt.relay, ['--id', `bench-${i}`, '--port', '0', '--admin-port', '0',
        '--bus', `redis://127.0.0.1:${redisPort}`, ...opt.relayArgs], /READY name=\S+ port=(\d+)/);
    else if (stack === 'sockjs-node')
      s = await start('node', [path.join(__dirname, 'relay-fanout-sockjs-node.js'), opt.modules, String(redisPort)], /READY name=\S+ port=(\d+)/);
    else
      s = await start('node', [path.join(__dirname, 'relay-fanout-socketio.js'), opt.modules, String(redisPort)], /READY name=\S+ port=(\d+)/);
    servers.push({ pid: s.child.pid, port: +s.match[1], child: s.child });
  }
  // The relay reports READY before its bus is up; give every stack the same settling time.
  await new Promise((r) => setTimeout(r, 500));
  return { redis: redis.child, servers };
}

function percentile(hist, q) {
  const total = hist.reduce((a, b) => a + b, 0);
  if (total === 0) return NaN;
  let acc = 0;
  for (let i = 0; i < hist.length; i++) {
    acc += hist[i];
    if (acc >= q * total) return (i + 0.5) * 0.1;
  }
  return Infinity;
}

async function measure(stackState, workers, rate, seconds) {
  const pids = stackState.servers.map((s) => s.pid);
  const cpu0 = pids.map((p) => cpuSeconds(p));
  const sys0 = pids.map((p) => cpuSeconds(p, 'sys'));
  const redis0 = cpuSeconds(stackState.redis.pid);
  const started = Date.now();
  const runs = await Promise.all(workers.map((w) => ask(w, { cmd: 'run', rate: rate / workers.length, seconds }, 'published')));
  const sent = runs.reduce((a, r) => a + r.sent, 0);
  const expected = sent * opt.clients;
  // Stragglers get up to 2 s after the last publish.
  const graceEnd = Date.now() + 2000;
  let delivered = 0;
  while (Date.now() < graceEnd) {
    const counts = await Promise.all(workers.map((w) => ask(w, { cmd: 'count' }, 'count')));
    delivered = counts.reduce((a, c) => a + c.delivered, 0);
    if (delivered >= expected) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const elapsed = (Date.now() - started) / 1000;
  const cols = await Promise.all(workers.map((w) => ask(w, { cmd: 'collect' }, 'collected')));
  delivered = cols.reduce((a, c) => a + c.delivered, 0);
  const hist = new Array(cols[0].hist.length).fill(0);
  for (const c of cols) c.hist.forEach((v, i) => { hist[i] += v; });
  const serverCpu = pids.map((p) => cpuSeconds(p)).reduce((a, v, i) => a + v - cpu0[i], 0);
  const serverSys = pids.map((p) => cpuSeconds(p, 'sys')).reduce((a, v, i) => a + v - sys0[i], 0);
  const redisCpu = cpuSeconds(stackState.redis.pid) - redis0;
  return {
    rate, sent, expected, delivered,
    ratio: expected ? delivered / expected : 0,
    delivered_per_s: delivered / seconds,
    p50_ms: percentile(hist, 0.5), p99_ms: percentile(hist, 0.99),
    server_cpu_s: serverCpu, server_sys_cpu_s: serverSys, redis_cpu_s: redisCpu, elapsed_s: elapsed,
    deliveries_per_server_cpu_s: serverCpu > 0 ? delivered / serverCpu : Infinity,
    deliveries_per_cpu_s: serverCpu + redisCpu > 0 ? delivered / (serverCpu + redisCpu) : Infinity,
  };
}

// Runs the C++ load generator over `rates`; CPU is sampled at each START and RESULT line.
function runLoadgen(st, stack, rates, seconds, stopOnFail) {
  return new Promise((resolve, reject) => {
    const argv = ['--stack', stack, '--ports', st.servers.map((s) => s.port).join(','),
      '--clients', String(opt.clients), '--publishers', String(opt.publishers),
      '--rates', rates.join(','), '--seconds', String(seconds)];
    if (stopOnFail) argv.push('--stop-on-fail');
    const child = spawn(opt.loadgen, argv, { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const pids = st.servers.map((s) => s.pid);
    const results = [];
    let cpu0, sys0, redis0, buf = '';
    child.stdout.on('data', (d) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('START')) {
          cpu0 = pids.map((p) => cpuSeconds(p));
          sys0 = pids.map((p) => cpuSeconds(p, 'sys'));
          redis0 = cpuSeconds(st.redis.pid);
        } else if (line.startsWith('RESULT ')) {
          const r = JSON.parse(line.slice(7));
          r.server_cpu_s = pids.map((p) => cpuSeconds(p)).reduce((a, v, i) => a + v - cpu0[i], 0);
          r.server_sys_cpu_s = pids.map((p) => cpuSeconds(p, 'sys')).reduce((a, v, i) => a + v - sys0[i], 0);
          r.redis_cpu_s = cpuSeconds(st.redis.pid) - redis0;
          r.deliveries_per_server_cpu_s = r.server_cpu_s > 0 ? r.delivered / r.server_cpu_s : Infinity;
          r.deliveries_per_cpu_s = r.delivered / (r.server_cpu_s + r.redis_cpu_s);
          results.push(r);
        }
      }
    });
    child.on('exit', (code) => (code === 0 ? resolve(results) : reject(new Error(`load generator exited ${code}`))));
  });
}

async function runStack(stack) {
  const st = await startStack(stack);
  if (opt.loadgen) {
    try {
      const [main] = await runLoadgen(st, stack, [opt.rate], opt.seconds, false);
      const result = { stack, main };
      if (opt.saturation) {
        result.saturation = await runLoadgen(st, stack, opt.satRates, opt.satSeconds, true);
        let best = 0;
        for (const r of result.saturation) {
          if (!(r.ratio >= 0.999 && r.p99_ms >= 0 && r.p99_ms < 100)) break;
          best = r.rate;
        }
        result.saturation_rate = best;
      }
      return result;
    } finally {
      for (const s of st.servers) s.child.kill('SIGKILL');
      st.redis.kill('SIGKILL');
    }
  }
  const workers = [];
  try {
    for (let w = 0; w < opt.workers; w++) {
      const worker = fork(path.join(__dirname, 'relay-fanout-load.js'), [], { stdio: 'inherit' });
      children.push(worker);
      workers.push(worker);
    }
    const per = (n, w) => Math.floor(n / opt.workers) + (w < n % opt.workers ? 1 : 0);
    await Promise.all(workers.map((worker, w) => ask(worker, {
      cmd: 'connect', modules: opt.modules,
      cfg: { stack, ports: st.servers.map((s) => s.port), clients: per(opt.clients, w), publishers: per(opt.publishers, w), worker: w },
    }, 'connected')));
    await new Promise((r) => setTimeout(r, 500));  // raw endpoints subscribe asynchronously
    await measure(st, workers, opt.rate, 1);       // warm-up, not reported
    const main = await measure(st, workers, opt.rate, opt.seconds);
    const result = { stack, main };
    if (opt.saturation) {
      result.saturation = [];
      let best = 0;
      for (const rate of opt.satRates) {
        const r = await measure(st, workers, rate, opt.satSeconds);
        result.saturation.push(r);
        const ok = r.ratio >= 0.999 && r.p99_ms < 100;
        if (!ok) break;
        best = rate;
      }
      result.saturation_rate = best;
    }
    return result;
  } finally {
    for (const w of workers) try { w.send({ cmd: 'exit' }); } catch (_) {}
    await new Promise((r) => setTimeout(r, 200));
    for (const s of st.servers) s.child.kill('SIGKILL');
    st.redis.kill('SIGKILL');
    for (const w of workers) w.kill('SIGKILL');
  }
}

function fmt(n, d = 0) { return Number.isFinite(n) ? n.toFixed(d) : String(n); }

(async () => {
  if (opt.relayArgs.length) console.log(`switchyard-relay flags: ${opt.relayArgs.join(' ')}`);
  console.log(`relay-fanout: ${opt.clients} clients, ${opt.publishers} publishers, ${opt.rate} msg/s for ${opt.seconds}s over ${opt.servers} servers on one Redis (${opt.loadgen ? 'C++ load generator' : opt.workers + ' node load workers'})`);
  const results = [];
  for (const stack of opt.stacks) {
    process.stdout.write(`  running ${stack}...\n`);
    results.push(await runStack(stack));
  }
  console.log('\nstack        deliv/s   ratio    p50ms  p99ms  srvCPUs (sys) redisCPUs  deliv/srvCPUs  deliv/CPUs  saturation');
  for (const r of results) {
    const m = r.main;
    console.log(`${r.stack.padEnd(11)} ${fmt(m.delivered_per_s).padStart(8)}  ${fmt(m.ratio, 4)}  ${fmt(m.p50_ms, 1).padStart(6)} ${fmt(m.p99_ms, 1).padStart(6)}  ${fmt(m.server_cpu_s, 2).padStart(7)} (${fmt(m.server_sys_cpu_s, 2)}) ${fmt(m.redis_cpu_s, 2).padStart(8)}  ${fmt(m.deliveries_per_server_cpu_s).padStart(13)} ${fmt(m.deliveries_per_cpu_s).padStart(11)}  ${r.saturation_rate !== undefined ? r.saturation_rate + ' msg/s' : '-'}`);
  }
  const base = results.find((r) => r.stack === 'sockjs-node');
  if (base) {
    for (const r of results.filter((x) => x.stack === 'ws' || x.stack === 'sockjs')) {
      const eff = r.main.deliveries_per_server_cpu_s / base.main.deliveries_per_server_cpu_s;
      const effAll = r.main.deliveries_per_cpu_s / base.main.deliveries_per_cpu_s;
      let line = `${r.stack} vs sockjs-node: ${fmt(eff, 1)}x deliveries per server CPU-second` +
        ` (${fmt(effAll, 1)}x counting each stack's Redis too)`;
      if (r.saturation_rate !== undefined && base.saturation_rate)
        line += `, saturation ${fmt(r.saturation_rate / base.saturation_rate, 1)}x`;
      console.log(line);
    }
  }
  if (opt.json) fs.writeFileSync(opt.json, JSON.stringify({ options: opt, results }, null, 2));
  process.exit(0);
})().catch((e) => { console.error(e.stack || e); process.exit(3); });
