// The shipped docs/nginx/fieldgrid-cluster.conf made runnable on this machine, for tests/cluster/ and bench/cluster/:
// only its "# node" lines (the nodes' addresses) and "# tls" lines (a plain-HTTP listener on loopback instead of
// TLS) are replaced; every other line is the shipped one. Wrapped in a main configuration that keeps its pid, logs
// and temporary files in dir.
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** The site configuration: nodePorts on 127.0.0.1, nginx listening on 127.0.0.1:listenPort. */
export function clusterSite(nodePorts, listenPort, { backlog } = {}) {
  const shipped = readFileSync(new URL('../../docs/nginx/fieldgrid-cluster.conf', import.meta.url), 'utf8').split('\n');
  const out = [];
  let nodesDone = false;
  for (const line of shipped) {
    if (/#\s*node\s*$/.test(line)) {
      if (!nodesDone) { // the upstream's first node line stands for all of ours, with its parameters
        const params = line.replace(/^\s*server\s+\S+/, '').replace(/#.*$/, '').trim(); // "max_fails=1 fail_timeout=5s;"
        for (const p of nodePorts) out.push(`    server 127.0.0.1:${p} ${params}`);
        nodesDone = true;
      }
      continue;
    }
    nodesDone = false;
    if (/#\s*tls\s*$/.test(line)) {
      if (/^\s*listen\b/.test(line)) out.push(`    listen 127.0.0.1:${listenPort}${backlog ? ` backlog=${backlog}` : ''};`);
      continue;
    }
    out.push(line);
  }
  return out.join('\n');
}

/** Writes dir/site.conf and dir/nginx.conf (daemon off; pid, logs and temporary paths in dir); the path of the
 *  latter, for `nginx -p dir -c … -e dir/error.log`. connections: worker_connections (each proxied socket is two). */
export function writeNginx(dir, nodePorts, listenPort, { workers = 1, connections = 1024, backlog } = {}) {
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp, { recursive: true });
  writeFileSync(join(dir, 'site.conf'), clusterSite(nodePorts, listenPort, { backlog }));
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, `daemon off;
worker_processes ${workers};
worker_rlimit_nofile ${connections * 2 + 1024};
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections ${connections}; }
http {
    access_log off;
    client_body_temp_path ${tmp}/body; proxy_temp_path ${tmp}/proxy; fastcgi_temp_path ${tmp}/fastcgi;
    uwsgi_temp_path ${tmp}/uwsgi; scgi_temp_path ${tmp}/scgi;
    include ${join(dir, 'site.conf')};
}
`);
  return conf;
}
