// Our own ping/idle timer: liveness is the last frame or pong. run-suite.sh starts the server with
// FG_OCPP_PING_S=2 and FG_OCPP_IDLE_S=8 so this takes seconds, not minutes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LABEL } from '../api/lib.mjs';
import { newCharger, raw, until, sleep } from './lib.mjs';

const PING_S = Number(process.env.FG_OCPP_PING_S || 0);
const IDLE_S = Number(process.env.FG_OCPP_IDLE_S || 0);
const skip = !(PING_S > 0 && PING_S <= 5 && IDLE_S > PING_S && IDLE_S <= 15) &&
  'needs a server started with FG_OCPP_PING_S ≤ 5 and FG_OCPP_IDLE_S ≤ 15 (tests/run-suite.sh does)';

test(`${LABEL} ocpp liveness: a silent charger that answers pings stays; one that does not is closed`, { skip }, async () => {
  const a = await newCharger();
  const b = await newCharger();
  const alive = await raw(a);
  let pings = 0;
  alive.on('ping', () => { pings += 1; });
  const mute = await raw(b, { autoPong: false });
  const t0 = Date.now();
  const closed = await mute.closed;
  const took = (Date.now() - t0) / 1000;
  assert.equal(closed.code, 1001, 'going away: idle');
  assert.ok(took >= IDLE_S - 1 && took <= IDLE_S + 4, `closed after ${took}s, idle limit ${IDLE_S}s`);
  await until(`/chargers/${b.charger.id}`, (j) => j.online === false);
  // the one that pongs is still connected and was pinged while silent
  assert.ok(pings >= 2, `pinged ${pings} times`);
  const hb = await alive.call([2, 'after-silence', 'Heartbeat', {}]);
  assert.equal(hb[1], 'after-silence');
  const c = await until(`/chargers/${a.charger.id}`, (j) => j.online === true);
  assert.ok(c.last_seen_at >= t0 - 1000);
  alive.close();
  await sleep(10);
});
