// The other comparison stack: Socket.IO with @socket.io/redis-adapter.
// usage: node relay-fanout-socketio.js <node_modules> <redis port>; prints READY port=<p>.
'use strict';
const path = require('path');
const http = require('http');
const [modules, redisPort] = process.argv.slice(2);
const { Server } = require(path.join(modules, 'socket.io'));
const { createAdapter } = require(path.join(modules, '@socket.io/redis-adapter'));
const { createClient } = require(path.join(modules, 'redis'));

(async () => {
  const pub = createClient({ url: `redis://127.0.0.1:${redisPort}` });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  const httpServer = http.createServer();
  const io = new Server(httpServer, { adapter: createAdapter(pub, sub) });
  io.on('connection', (socket) => {
    socket.on('msg', (data) => io.emit('msg', data));
  });
  httpServer.listen(0, '127.0.0.1', () => {
    console.log(`READY name=socketio port=${httpServer.address().port} admin=0`);
  });
})();
