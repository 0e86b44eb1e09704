// For suites that run their own fieldgrid servers (lifecycle, backup, durability): a free port, and a server
// started on a data directory, waited for until health answers, and signed in as admin.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';

export function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

/** Polls url's health (up to ~10 s) until it answers 200; true when it did. */
export async function waitHealthy(url) {
  for (let i = 0; i < 100; i++) {
    try { if ((await fetch(url + '/api/v1/health')).ok) return true; } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** Starts `bin serve` on dir; resolves to { srv, url, state: { log }, exited, token } once admin is signed in. */
export async function startServer({ bin, dir, dbargs = [], env, password }) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const srv = spawn(bin, ['serve', '--data', dir, ...dbargs, '--listen', `127.0.0.1:${port}`], { env });
  const state = { log: '' };
  srv.stderr.on('data', (d) => { state.log += d; });
  const exited = new Promise((resolve) => srv.on('exit', (code, signal) => resolve({ code, signal })));
  await waitHealthy(url); // a server that never came up fails the sign-in below, with its log
  const login = await fetch(url + '/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }) });
  assert.equal(login.status, 200, state.log);
  return { srv, url, state, exited, token: (await login.json()).token };
}
