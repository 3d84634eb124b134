// The comparison stack a user would write: sockjs-node + Redis pub/sub, the ordinary way.
// usage: node relay-fanout-sockjs-node.js <node_modules> <redis port>; prints READY port=<p>.
'use strict';
const path = require('path');
const http = require('http');
const [modules, redisPort] = process.argv.slice(2);
const sockjs = require(path.join(modules, 'sockjs'));
const { createClient } = require(path.join(modules, 'redis'));

(async () => {
  const pub = createClient({ url: `redis://127.0.0.1:${redisPort}` });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  const conns = new Set();
  const server = sockjs.createServer({ prefix: '/sockjs', log: () => {} });
  server.on('connection', (conn) => {
    conns.add(conn);
    conn.on('data', (data) => pub.publish('global', data));
    conn.on('close', () => conns.delete(conn));
  });
  await sub.subscribe('global', (message) => {
    for (const conn of conns) conn.write(message);
  });
  const httpServer = http.createServer();
  server.installHandlers(httpServer);
  httpServer.listen(0, '127.0.0.1', () => {
    console.log(`READY name=sockjs-node port=${httpServer.address().port} admin=0`);
  });
})();
