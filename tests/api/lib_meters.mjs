// Shared by the meter import and rotation tests: uploading a meter CSV and waiting for its import to end.
import { api, expectStatus, sleep } from './lib.mjs';

/** Uploads a CSV; one import runs at a time per server, so another test file's import is waited for (bounded). */
export async function uploadMeters(token, csv, filename = 'meters.csv') {
  for (let i = 0; ; i++) {
    const r = await api('POST', `/metering/imports?filename=${encodeURIComponent(filename)}`, { token, rawBody: Buffer.from(csv),
      headers: { 'content-type': 'text/csv' } });
    if (r.status !== 409 || i >= 200) return r;
    await sleep(50);
  }
}

/** Polls the import until it is done or failed (bounded). */
export async function settled(token, id) {
  for (let i = 0; i < 400; i++) {
    const r = await api('GET', `/metering/imports/${id}`, { token });
    expectStatus(r, 200);
    if (r.json.state !== 'running') return r.json;
    await sleep(50);
  }
  throw new Error(`meter import ${id} did not end`);
}

/** Imports the CSV and waits: the import as it ended. */
export async function imported(token, csv) {
  const r = await uploadMeters(token, csv);
  expectStatus(r, 202);
  return settled(token, r.json.id);
}
