// Helpers of the customer-hazard tests (customer_hazards.test.mjs) that other tests use too (attachments_shared:
// a notice PDF that embeds the signature): a real PNG signature, an enterprise customer in the registry.
import zlib from 'node:zlib';
import { api, expectStatus, uniq } from './lib.mjs';

function crc32(buf) {
  let c, crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
/** A real PNG (grey, 40×16, a stroke across it): what the phone's signature pad sends. */
export function signaturePng() {
  const w = 40, h = 16, raw = Buffer.alloc((w + 1) * h, 255);
  for (let y = 0; y < h; y++) { raw[y * (w + 1)] = 0; raw[y * (w + 1) + 1 + Math.floor((y * w) / h)] = 0; }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4); ihdr[8] = 8; ihdr[9] = 0; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

let serial = 0;
/** An enterprise customer in the registry (its name is on its licence, never masked). */
export async function customer(token, name = `${uniq('福州')}机械厂`) {
  const n = (Date.now() + serial++) % 1e6;
  const c = await api('POST', '/customers', { token, body: { kind: 'enterprise', name, id_type: 'uscc',
    id_number: uscc(n), contacts: [{ name: '林电工', phone: '13912345678' }] } });
  expectStatus(c, 201);
  return c.json;
}
// GB 32100-2015 check character, so the registry accepts the number
function uscc(n) {
  const chars = '0123456789ABCDEFGHJKLMNPQRTUWXY', w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  const body = `91350100M${String(n).padStart(8, '0')}`;
  let s = 0;
  for (let i = 0; i < 17; i++) s += chars.indexOf(body[i]) * w[i];
  return body + chars[(31 - (s % 31)) % 31];
}

