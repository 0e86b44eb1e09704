// The phone's own store for working offline (issue 14 item 1, DESIGN.md §9): IndexedDB through Dexie (npm, served
// from /vendor/dexie.js). Loaded only when a page that works offline first needs it (api.js imports it lazily), so
// the login page does not download it.
//   copies:  the last answer of each GET a job page reads (key: path with its query), per signed-in user, so a
//            reload offline draws the job from them instead of an error.
//   blobs:   photos already taken (attachment content), by attachment id; and photos taken offline, by local id.
//   outbox:  writes made offline, in order (seq): each with its client id (also its Idempotency-Key) and the
//            device's time of the act; sync.js replays them.
//   meta:    small facts (whose copies these are).
import Dexie from '../../vendor/dexie.js';

export const db = new Dexie('fieldgrid');
db.version(1).stores({
  copies: 'key, user, at',
  blobs: 'id, user',
  outbox: '++seq, id, user, state',
  meta: 'key',
});

/** Forgets everything of the person who signs out (copies, photos, unsent writes are theirs alone). */
export async function forgetAll() {
  await Promise.all([db.copies.clear(), db.blobs.clear(), db.outbox.clear(), db.meta.clear()]);
}
