// Prints a runnable nginx configuration for bench/cluster: the shipped docs/nginx/fieldgrid-cluster.conf with only
// its "# node" lines (the nodes' addresses) and "# tls" lines (a plain-HTTP listener on loopback) replaced, exactly
// as tests/cluster/cluster.test.mjs does, wrapped in a main configuration that keeps everything in DIR.
//
//   node bench/cluster/nginxconf.mjs --dir DIR --listen PORT --nodes PORT1,PORT2,PORT3 [--workers 1] [--connections N]
//
// Writes DIR/site.conf (the shipped file, changed as above) and DIR/nginx.conf (daemon off, pid, logs and temporary
// paths in DIR, access_log off, `include site.conf`).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const a = {};
for (let i = 2; i < process.argv.length; i++) if (process.argv[i].startsWith('--')) a[process.argv[i].slice(2)] = process.argv[++i];
const dir = a.dir, port = Number(a.listen), nodes = String(a.nodes ?? '').split(',').filter(Boolean);
const workers = Number(a.workers ?? 1), conns = Number(a.connections ?? 4096);
if (!dir || !port || !nodes.length) { console.error('nginxconf: need --dir, --listen and --nodes'); process.exit(2); }

const shipped = readFileSync(new URL('../../docs/nginx/fieldgrid-cluster.conf', import.meta.url), 'utf8').split('\n');
const out = [];
let nodesDone = false;
for (const line of shipped) {
  if (/#\s*node\s*$/.test(line)) {
    if (!nodesDone) {
      const params = line.replace(/^\s*server\s+\S+/, '').replace(/#.*$/, '').trim(); // "max_fails=1 fail_timeout=5s;"
      for (const n of nodes) out.push(`    server 127.0.0.1:${n} ${params}`);
      nodesDone = true;
    }
    continue;
  }
  nodesDone = false;
  if (/#\s*tls\s*$/.test(line)) {
    if (/^\s*listen\b/.test(line)) out.push(`    listen 127.0.0.1:${port} backlog=4096;`);
    continue;
  }
  out.push(line);
}
const tmp = join(dir, 'tmp');
mkdirSync(tmp, { recursive: true });
writeFileSync(join(dir, 'site.conf'), out.join('\n'));
// each charger is two sockets in nginx (the charger's and the node's): worker_connections and the fd limit follow
writeFileSync(join(dir, 'nginx.conf'), `daemon off;
worker_processes ${workers};
worker_rlimit_nofile ${conns * 2 + 1024};
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections ${conns}; }
http {
    access_log off;
    client_body_temp_path ${tmp}/body; proxy_temp_path ${tmp}/proxy; fastcgi_temp_path ${tmp}/fastcgi;
    uwsgi_temp_path ${tmp}/uwsgi; scgi_temp_path ${tmp}/scgi;
    include ${join(dir, 'site.conf')};
}
`);
