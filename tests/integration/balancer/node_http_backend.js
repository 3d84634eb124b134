// A stock Node.js http server to put behind switchyard-lb in the request-smuggling tests: every
// request it serves is one JSON line on stdout (method, url, raw headers and trailers, body),
// so a test can see exactly what reached the backend. Node's parser reads Transfer-Encoding the
// way the RFC says, which is what made the reported smuggling work.
'use strict';
const http = require('http');

const server = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('latin1');
  req.on('data', (c) => { body += c; });
  req.on('end', () => {
    console.log(JSON.stringify({
      method: req.method, url: req.url, headers: req.rawHeaders, trailers: req.rawTrailers, body,
    }));
    res.setHeader('X-Served', req.url);
    res.end('served ' + req.url + '\n');
  });
});
server.on('clientError', (err, socket) => {
  console.log(JSON.stringify({ clientError: err.code || String(err) }));
  socket.destroy();
});
server.listen(0, '127.0.0.1', () => {
  console.log(`READY name=node port=${server.address().port} admin=0`);
});
process.on('SIGTERM', () => process.exit(0));
