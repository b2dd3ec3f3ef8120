// The fault proxy process `vigil start` runs (component `fault-proxy`): routes from
// FAULT_PROXY_ROUTES (JSON), control API on PORT, admin token from VIGIL_ADMIN_TOKEN.
import { type ProxyRoute, startControlApi, startFaultProxy } from './fault-proxy.ts';

const routes = JSON.parse(process.env.FAULT_PROXY_ROUTES ?? '[]') as ProxyRoute[];
const token = process.env.VIGIL_ADMIN_TOKEN;
if (!token) {
  console.error('fault-proxy: VIGIL_ADMIN_TOKEN is required');
  process.exit(2);
}
const host = process.env.HOST || '127.0.0.1';
const proxy = await startFaultProxy(routes, host);
const control = await startControlApi(proxy, Number(process.env.PORT), token);
console.log(
  JSON.stringify({
    level: 'info',
    msg: 'fault proxy ready',
    control: `http://${host}:${process.env.PORT}`,
    routes: routes.map((r) => `${host}:${r.listenPort} -> ${r.upstreamHost}:${r.upstreamPort} (${r.name})`),
  }),
);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    control.close();
    void proxy.close().then(() => process.exit(0));
  });
