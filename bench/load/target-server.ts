// A fixed-latency HTTP target for the load-generator benchmarks. It measures its own latency
// (request received → response finished) in an HDR histogram, so the generator's figures can be
// compared with what the target really did.
//   GET  /x            answers after DELAY_MS (0: at once)
//   GET  /stats        the target's own percentiles (ms) since the last reset; POST /stats/reset
//   POST /stall?ms=N   blocks the event loop for N ms (every connection waits: a GC pause, a stall)
//   GET  /health/ready 200
import { createServer } from 'node:http';
import hdr from 'hdr-histogram-js';

const delay = Number(process.env.DELAY_MS ?? '0');
const port = Number(process.env.PORT ?? '0');
const newHist = () =>
  hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
  });
let hist = newHist();
const body = '{"ok":true}';

const server = createServer((req, res) => {
  const start = process.hrtime.bigint();
  const url = req.url ?? '/';
  if (url === '/x') {
    res.on('finish', () => hist.recordValue(Number((process.hrtime.bigint() - start) / 1000n)));
    const answer = () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
      res.end(body);
    };
    if (delay > 0) setTimeout(answer, delay);
    else answer();
    return;
  }
  if (url === '/stats') {
    const at = (p: number) => hist.getValueAtPercentile(p) / 1000;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        count: hist.totalCount,
        p50: at(50),
        p99: at(99),
        p999: at(99.9),
        max: hist.maxValue / 1000,
      }),
    );
    return;
  }
  if (url === '/stats/reset' && req.method === 'POST') {
    hist = newHist();
    res.writeHead(204).end();
    return;
  }
  if (url.startsWith('/stall') && req.method === 'POST') {
    const ms = Number(new URL(url, 'http://x').searchParams.get('ms') ?? '1000');
    const until = performance.now() + ms;
    while (performance.now() < until) {
      // busy: nothing else runs
    }
    res.writeHead(204).end();
    return;
  }
  if (url === '/health/ready') {
    res.writeHead(200).end('ok');
    return;
  }
  res.writeHead(404).end();
});
server.keepAliveTimeout = 60_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
