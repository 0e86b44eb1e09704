// Domain events (issue 10 item 3): a module's failure to react to a charger's message never fails the message; the
// failed delivery is rolled back alone, kept, retried by the scheduler with backoff, parked after the last attempt,
// seen by admins and retried by hand. The failure is a real one: a trigger in the database refuses the alarm the
// faults module tries to write for one charger (the test plays the DBA who broke something, through FG_DB_URL).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LABEL, DB_NAME, userWithToken, expectError } from '../api/lib.mjs';
import { execFileSync } from 'node:child_process';
import { newCharger, connect, close, now, api, adminToken, until, expectStatus } from './lib.mjs';

/** SQL on the server's database behind its back; SQLite waits for the server's write lock like any writer. */
function tamper(sql) {
  const url = process.env.FG_DB_URL;
  assert.ok(url, 'FG_DB_URL names the database (set by tests/run-suite.sh)');
  if (url.startsWith('postgres')) execFileSync('psql', ['-q', '-X', '-v', 'ON_ERROR_STOP=1', url, '-c', sql]);
  else execFileSync('sqlite3', ['-cmd', '.timeout 10000', url, sql]);
}

/** Makes INSERT INTO alarms fail for this charger; returns the function that lifts it. */
function refuseAlarms(chargerId) {
  const name = 'ev_refuse_' + chargerId.replace(/-/g, '');
  if (DB_NAME === 'postgresql') {
    tamper(`CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN RAISE EXCEPTION 'alarm refused by the events test'; END $f$; `
      + `CREATE TRIGGER ${name} BEFORE INSERT ON alarms FOR EACH ROW WHEN (NEW.charger_id = '${chargerId}') EXECUTE FUNCTION ${name}();`);
    return () => tamper(`DROP TRIGGER ${name} ON alarms; DROP FUNCTION ${name}();`);
  }
  tamper(`CREATE TRIGGER ${name} BEFORE INSERT ON alarms WHEN NEW.charger_id = '${chargerId}' `
    + `BEGIN SELECT RAISE(ABORT, 'alarm refused by the events test'); END;`);
  return () => tamper(`DROP TRIGGER ${name};`);
}

async function failedFor(chargerId, token) {
  const res = await api('GET', '/events/failed?limit=200', { token });
  expectStatus(res, 200);
  return res.json.items.filter((d) => d.entity_id === chargerId);
}

test(`${LABEL} events: a subscriber that fails costs the charger nothing; retried with backoff, parked, retried by an admin`, async () => {
  const admin = await adminToken();
  const ch = await newCharger();
  const lift = refuseAlarms(ch.charger.id);
  let lifted = false;
  try {
    const cli = await connect(ch);
    await cli.call('BootNotification', { chargePointVendor: 'XJ', chargePointModel: 'DC-120' });
    // the charger's message is answered as usual, and what it reported is recorded
    const answer = await cli.call('StatusNotification', { connectorId: 1, errorCode: 'GroundFailure', status: 'Faulted', timestamp: now() });
    assert.deepEqual(answer, {});
    const c = await until(`/chargers/${ch.charger.id}`, (j) => j.connectors.some((x) => x.connector_id === 1 && x.status === 'Faulted'));
    assert.ok(c);
    // the faults module's reaction was rolled back alone and kept for a retry; the other subscriber of the event
    // (evusers, credit) is not affected
    const [d] = await failedFor(ch.charger.id, admin);
    assert.ok(d, 'the failed delivery is listed');
    assert.equal(d.event, 'connector.status');
    assert.equal(d.subscriber, 'faults.on_status');
    assert.equal(d.entity, 'charger');
    assert.equal(d.data.status, 'Faulted');
    assert.equal(d.data.error_code, 'GroundFailure');
    assert.match(d.last_error, /alarm refused by the events test/);
    assert.ok(d.attempts >= 1);
    assert.equal((await failedFor(ch.charger.id, admin)).length, 1, 'one failed delivery: only the failing subscriber');
    assert.equal((await api('GET', `/alarms?charger_id=${ch.charger.id}`, { token: admin })).json.items.length, 0);
    // the charger goes on talking meanwhile
    await cli.call('Heartbeat', {});
    // admins only
    const mgr = await userWithToken(['manager']);
    expectError(await api('GET', '/events/failed', { token: mgr.token }), 403, 'forbidden');
    expectError(await api('POST', `/events/failed/${d.id}/actions/retry`, { token: mgr.token }), 403, 'forbidden');
    // the scheduler retries it (FG_EVENTS_RETRY_S=1 in the suite: 1, 2, 4, 8 s apart) and parks it after the last
    const parked = await until(`/events/failed/${d.id}`, (j) => j.state === 'parked', 60000);
    assert.equal(parked.attempts, 5);
    assert.equal(parked.next_at, null);
    assert.match(parked.last_error, /alarm refused/);
    expectStatus(await api('GET', '/events/failed?state=parked', { token: admin }), 200);
    // the cause is fixed; an admin retries: the alarm is raised (and its fault opened) as if nothing had happened
    lift();
    lifted = true;
    const retried = await api('POST', `/events/failed/${d.id}/actions/retry`, { token: admin });
    expectStatus(retried, 200);
    assert.equal(retried.json.state, 'delivered');
    assert.equal(retried.json.attempts, 6);
    const [alarm] = (await until(`/alarms?charger_id=${ch.charger.id}`, (j) => j.items.length === 1)).items;
    assert.equal(alarm.fault_key, 'ocpp:GroundFailure');
    assert.ok(alarm.fault_id, 'the alarm opened its fault case');
    assert.equal((await failedFor(ch.charger.id, admin)).length, 0, 'delivered: no longer among the failed');
    expectError(await api('POST', `/events/failed/${d.id}/actions/retry`, { token: admin }), 409, 'invalid_transition');
    const audit = await api('GET', `/audit?entity=event_delivery&entity_id=${d.id}`, { token: admin });
    expectStatus(audit, 200);
    assert.ok(audit.json.items.some((a) => a.action === 'retry'), 'the admin\'s retry is audited');
    await close(cli);
  } finally {
    if (!lifted) lift();
  }
});

test(`${LABEL} events: once the cause is gone, the scheduler's retry delivers on its own`, async () => {
  const admin = await adminToken();
  const ch = await newCharger();
  const lift = refuseAlarms(ch.charger.id);
  let lifted = false;
  try {
    const cli = await connect(ch);
    await cli.call('BootNotification', { chargePointVendor: 'XJ', chargePointModel: 'DC-120' });
    await cli.call('StatusNotification', { connectorId: 0, errorCode: 'OtherError', status: 'Faulted', timestamp: now() });
    const listed = await until('/events/failed?limit=200', (j) => j.items.some((x) => x.entity_id === ch.charger.id));
    const d = listed.items.find((x) => x.entity_id === ch.charger.id);
    assert.ok(d, 'the failed delivery is listed');
    lift();
    lifted = true;
    const done = await until(`/events/failed/${d.id}`, (j) => j.state === 'delivered', 30000);
    assert.ok(done.attempts >= 2);
    assert.equal((await until(`/alarms?charger_id=${ch.charger.id}`, (j) => j.items.length === 1)).items[0].connector_id, 0);
    await close(cli);
  } finally {
    if (!lifted) lift();
  }
});
