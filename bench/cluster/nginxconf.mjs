// Writes a runnable nginx configuration for bench/cluster: the shipped docs/nginx/fieldgrid-cluster.conf with only
// its "# node" and "# tls" lines replaced, as tests/cluster/ runs it (both through tests/lib/nginx_cluster.mjs).
//
//   node bench/cluster/nginxconf.mjs --dir DIR --listen PORT --nodes PORT1,PORT2,PORT3 [--workers 1] [--connections N]
//
// Writes DIR/site.conf and DIR/nginx.conf (daemon off, pid, logs and temporary paths in DIR, access_log off).
import { writeNginx } from '../../tests/lib/nginx_cluster.mjs';

const a = {};
for (let i = 2; i < process.argv.length; i++) if (process.argv[i].startsWith('--')) a[process.argv[i].slice(2)] = process.argv[++i];
const dir = a.dir, port = Number(a.listen), nodes = String(a.nodes ?? '').split(',').filter(Boolean);
if (!dir || !port || !nodes.length) { console.error('nginxconf: need --dir, --listen and --nodes'); process.exit(2); }
// each charger is two sockets in nginx (the charger's and the node's): worker_connections and the fd limit follow
writeNginx(dir, nodes, port, { workers: Number(a.workers ?? 1), connections: Number(a.connections ?? 4096), backlog: 4096 });
