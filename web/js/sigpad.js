// A handwritten mark on a canvas (a finger or a mouse): the customer signing a hazard notice (hazards.js), a crew
// member signing the pre-shift meeting on the leader's screen (jobflow/briefing.js).
import { h } from './dom.js';
import { t } from './i18n.js';

/** png() resolves the drawing as a PNG blob, or null when nothing was drawn. label: the canvas's accessible name. */
export function signaturePad(testid, { label = t('hz.sign_here') } = {}) {
  const canvas = h('canvas.sign-pad', { testid, width: '600', height: '240', 'aria-label': label });
  const g = canvas.getContext('2d');
  const blank = () => { g.fillStyle = '#fff'; g.fillRect(0, 0, canvas.width, canvas.height); };
  blank();
  g.lineWidth = 4; g.lineCap = 'round'; g.lineJoin = 'round'; g.strokeStyle = '#111';
  let drawing = false, strokes = 0;
  const at = (e) => {
    const r = canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * (canvas.width / r.width), (e.clientY - r.top) * (canvas.height / r.height)];
  };
  canvas.addEventListener('pointerdown', (e) => { drawing = true; canvas.setPointerCapture(e.pointerId); g.beginPath(); g.moveTo(...at(e)); e.preventDefault(); });
  canvas.addEventListener('pointermove', (e) => { if (!drawing) return; g.lineTo(...at(e)); g.stroke(); strokes++; canvas.dataset.strokes = String(strokes); e.preventDefault(); });
  const end = () => { drawing = false; };
  canvas.addEventListener('pointerup', end);
  canvas.addEventListener('pointercancel', end);
  const clearBtn = h('button.btn', { type: 'button', testid: testid + '-clear', text: t('hz.sign_clear'),
    onclick: () => { blank(); g.strokeStyle = '#111'; strokes = 0; canvas.dataset.strokes = '0'; } });
  const el = h('div.sign-pad-wrap', canvas, clearBtn);
  el.png = () => (strokes ? new Promise((res) => canvas.toBlob((b) => res(b), 'image/png')) : Promise.resolve(null));
  return el;
}
