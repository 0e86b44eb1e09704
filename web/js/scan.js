// 扫码领用 /scan[?plan={plan id}] (phone first, R3.6): read a tool's QR label ("FGTOOL:<asset number>") and open its
// card, then check it out for one of my jobs or return it.
//   - Camera and label photos are decoded with the browser's BarcodeDetector (formats ['qr_code']) when the
//     browser has it and it reads QR codes (Android Chrome, Safari 17+). Elsewhere (desktop Linux Chromium,
//     Firefox) the jsQR decoder from npm (served as /vendor/jsqr.js) reads the same frames and photos. Only when
//     neither loads is the label's asset number typed in; typing it is always offered.
//   - GET /tools?asset_no= finds the tool; GET /me/jobs lists the jobs to check it out for;
//     POST /tools/{id}/actions/checkout {plan_id} answers the tool and warnings (tool_test_due_soon) or refuses
//     (tool_test_overdue, tool_test_failed, tool_not_available), said here in the UI's language with the date;
//     POST /tools/{id}/actions/return {condition: good|damaged|lost, note?}.
import { h, mount, icon } from './dom.js';
import { pageLife } from './lifecycle.js';
import { t, fmtTime } from './i18n.js';
import { get } from './api.js';
import { toast, field, loading } from './ui.js';
import { kvList, appLink, statusName } from './fw.js';
import { assetUrl } from './assets.js';
import {
  RETURN_CONDITIONS, assetFromText, toolByAsset, toolKinds, toolKindName, toolStatusBadge, dueText, dueClass,
  checkout, giveBack, refusalBox, warningBox,
} from './toolkit.js';

const JOB_OPEN = ['published', 'working', 'paused'];

/** A BarcodeDetector that reads QR codes, or null (none in this browser, or it reads no QR). */
async function nativeDetector() {
  if (!('BarcodeDetector' in window)) return null;
  try {
    const formats = await window.BarcodeDetector.getSupportedFormats();
    if (!Array.isArray(formats) || !formats.includes('qr_code')) return null;
    return new window.BarcodeDetector({ formats: ['qr_code'] });
  } catch {
    return null;
  }
}

let jsqrLoad = null;
/** window.jsQR, loaded once from /vendor/jsqr.js (a classic UMD script); null when it cannot be had. */
function loadJsQR() {
  if (!jsqrLoad) {
    jsqrLoad = new Promise((resolve) => {
      if (window.jsQR) { resolve(window.jsQR); return; }
      const s = document.createElement('script');
      s.src = assetUrl('/vendor/jsqr.js');
      s.async = true;
      s.onload = () => resolve(typeof window.jsQR === 'function' ? window.jsQR : null);
      s.onerror = () => resolve(null);
      document.head.append(s);
    });
  }
  return jsqrLoad;
}

/**
 * The jsQR decoder behind BarcodeDetector's interface: detect(video | ImageBitmap | image) resolves
 * [{rawValue}]. Frames are scaled so the long side is at most 1024 px: a label fills much of a phone frame, and
 * jsQR's time grows with the pixel count.
 */
function jsqrDetector(jsQR) {
  const canvas = document.createElement('canvas');
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  return {
    async detect(src) {
      const w0 = src.videoWidth || src.naturalWidth || src.width;
      const h0 = src.videoHeight || src.naturalHeight || src.height;
      if (!w0 || !h0) return [];
      const k = Math.min(1, 1024 / Math.max(w0, h0));
      canvas.width = Math.round(w0 * k);
      canvas.height = Math.round(h0 * k);
      ctx.fillStyle = '#fff'; // a transparent PNG's background reads as black otherwise
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(src, 0, 0, canvas.width, canvas.height);
      const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
      const code = jsQR(img.data, img.width, img.height, { inversionAttempts: 'attemptBoth' });
      return code && code.data ? [{ rawValue: code.data }] : [];
    },
  };
}

/** {detector, mode}: the browser's BarcodeDetector ('detector'), jsQR ('decoder'), or none ('manual'). */
export async function qrDetector() {
  const native = await nativeDetector();
  if (native) return { detector: native, mode: 'detector' };
  const jsQR = await loadJsQR();
  return jsQR ? { detector: jsqrDetector(jsQR), mode: 'decoder' } : { detector: null, mode: 'manual' };
}

export function renderScan(el, { me, navigate }) {
  const planParam = new URLSearchParams(location.search).get('plan') || '';
  let detector = null;
  let kinds = [];
  let jobs = null; // my open jobs (GET /me/jobs), loaded once
  let stream = null;
  let scanning = false;
  const life = pageLife();
  life.onEnd(() => stopCamera()); // leaving the page turns the camera off and ends the frame loop

  const modeLine = h('p.scan-mode.small', { testid: 'scan-mode', dataset: { mode: 'checking' }, text: t('scan.checking') });
  const camBox = h('div.scan-camera');
  const photoBox = h('div.scan-photo');
  const scanErr = h('div.alert.alert-error', { role: 'alert', testid: 'scan-read-error', hidden: true });
  const showScanErr = (text) => { scanErr.textContent = text || ''; scanErr.hidden = !text; };

  // ----- manual entry: always there
  const fAsset = h('input.input.scan-asset', {
    type: 'text', testid: 'scan-asset', maxlength: '60', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'characters',
    inputmode: 'text', enterkeyhint: 'search', placeholder: t('scan.asset_placeholder'),
  });
  const fSubmit = h('button.btn.btn-primary', { type: 'submit', testid: 'scan-submit', text: t('scan.find') });
  const manual = h('form.scan-manual', { testid: 'scan-manual', novalidate: true },
    field(t('scan.asset_label'), h('div.inline-form', fAsset, fSubmit), { hint: t('scan.asset_hint') }));
  manual.addEventListener('submit', (e) => {
    e.preventDefault();
    const asset = assetFromText(fAsset.value);
    if (!asset) { showScanErr(t('form.required', { field: t('scan.asset_label') })); fAsset.focus(); return; }
    lookup(asset, 'manual');
  });

  const toolBox = h('div.scan-result', { testid: 'scan-result' });

  // ----- camera and photo (BarcodeDetector or jsQR)
  function stopCamera() {
    scanning = false;
    if (stream) { for (const tr of stream.getTracks()) tr.stop(); stream = null; }
  }

  async function startCamera() {
    showScanErr(null);
    const video = h('video.scan-video', { testid: 'scan-video', playsinline: true, muted: true, autoplay: true });
    const stop = h('button.btn', { type: 'button', testid: 'scan-camera-stop', text: t('scan.camera_stop'), onclick: () => { stopCamera(); drawCameraButton(); } });
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
      if (life.ended) { stopCamera(); return; } // the page was left while the browser asked for the camera
    } catch (ex) {
      showScanErr(t('scan.camera_failed', { reason: (ex && ex.name) || String(ex) }));
      drawCameraButton();
      return;
    }
    video.srcObject = stream;
    mount(camBox, h('div.scan-video-wrap', video, h('div.scan-aim', { 'aria-hidden': 'true' })), h('div.flow-cta', stop));
    scanning = true;
    const tick = async () => {
      if (!scanning) return;
      try {
        if (video.readyState >= 2) {
          const codes = await detector.detect(video);
          const hit = codes.map((c) => c.rawValue).find((v) => v);
          if (hit) {
            stopCamera();
            drawCameraButton();
            found(hit, 'camera');
            return;
          }
        }
      } catch { /* a frame that could not be read; try the next */ }
      life.timeout(tick, 250);
    };
    video.addEventListener('loadeddata', () => tick(), { once: true });
  }

  function drawCameraButton() {
    mount(camBox, h('button.btn.btn-primary.btn-big', { type: 'button', testid: 'scan-camera', onclick: () => startCamera() },
      icon('camera', 'icon'), h('span', { text: t('scan.camera') })));
  }

  function drawPhotoInput() {
    const input = h('input.visually-hidden', { type: 'file', accept: 'image/*', capture: 'environment', testid: 'scan-photo-input', 'aria-label': t('scan.photo') });
    const status = h('span.small.muted', { role: 'status', testid: 'scan-photo-status' });
    input.addEventListener('change', async () => {
      const file = input.files && input.files[0];
      input.value = '';
      if (!file) return;
      showScanErr(null);
      status.textContent = t('scan.reading');
      try {
        const bitmap = await createImageBitmap(file);
        const codes = await detector.detect(bitmap);
        if (bitmap.close) bitmap.close();
        const hit = codes.map((c) => c.rawValue).find((v) => v);
        status.textContent = '';
        if (!hit) { showScanErr(t('scan.no_code')); return; }
        found(hit, 'photo');
      } catch (ex) {
        status.textContent = '';
        showScanErr(t('scan.photo_failed', { reason: (ex && ex.message) || String(ex) }));
      }
    });
    mount(photoBox, h('label.btn.btn-photo', { testid: 'scan-photo' }, input, icon('camera', 'icon'), h('span', { text: t('scan.photo') })), status);
  }

  /** What a label said: only "FGTOOL:<asset>" is ours. */
  function found(text, how) {
    const s = String(text || '').trim();
    if (!s.toUpperCase().startsWith('FGTOOL:')) { showScanErr(t('scan.not_ours', { text: s.slice(0, 60) })); return; }
    const asset = assetFromText(s);
    fAsset.value = asset;
    lookup(asset, how);
  }

  // ----- the tool
  let lookSeq = 0;
  async function lookup(asset, how) {
    const my = ++lookSeq;
    showScanErr(null);
    mount(toolBox, loading());
    let tool;
    try {
      tool = await toolByAsset(asset);
    } catch (ex) {
      if (my !== lookSeq) return;
      mount(toolBox);
      showScanErr(ex.message);
      return;
    }
    if (my !== lookSeq) return;
    if (!tool) {
      mount(toolBox, h('div.alert.alert-error', { role: 'alert', testid: 'scan-not-found', text: t('scan.not_found', { asset }) }));
      return;
    }
    toolBox.dataset.how = how;
    await loadJobs();
    if (my !== lookSeq) return;
    drawTool(tool);
  }

  async function loadJobs() {
    if (jobs) return;
    try {
      const r = await get('/me/jobs');
      jobs = ((r && r.items) || []).filter((j) => JOB_OPEN.includes(j.status));
    } catch {
      jobs = [];
    }
  }

  function drawTool(tool, { warnings, done } = {}) {
    const kname = toolKindName(kinds, tool.kind, tool.kind_name);
    const refusal = refusalBox('scan-error');
    const warn = warningBox('scan-warning');
    if (warnings) warn.show(warnings);
    const parts = [];
    if (done) {
      parts.push(h('div.alert.alert-ok', { role: 'status', testid: 'scan-done' },
        h('span', { text: done.text }),
        done.planId ? appLink('/jobs/' + encodeURIComponent(done.planId), t('scan.back_to_job'), navigate, { testid: 'scan-job-link' }) : null));
    }
    parts.push(warn);
    if (tool.custody === 'checked_out') {
      const job = (jobs || []).find((j) => j.id === tool.plan_id);
      const fNote = h('textarea.input', { rows: '2', maxlength: '1000', testid: 'scan-return-note' });
      const conds = h('div.radio-row', { role: 'radiogroup', testid: 'scan-condition' }, RETURN_CONDITIONS.map((c) => h('label.radio-card', { class: c === 'good' ? 'ok' : 'bad' },
        h('input', { type: 'radio', name: 'scan-condition', value: c, checked: c === 'good', testid: 'scan-return-' + c }),
        h('span', { text: t('tool.condition.' + c) }))));
      const btn = h('button.btn.btn-primary.btn-big', { type: 'button', testid: 'scan-return' }, h('span', { text: t('tool.return') }));
      btn.addEventListener('click', async () => {
        refusal.show(null);
        const c = conds.querySelector('input:checked');
        btn.disabled = true;
        try {
          const after = await giveBack(tool.id, c ? c.value : 'good', fNote.value.trim());
          toast(t('tool.returned', { asset: tool.asset_no }));
          drawTool(after, { done: { text: t('scan.returned', { asset: tool.asset_no, condition: t('tool.condition.' + (c ? c.value : 'good')) }) } });
        } catch (ex) {
          btn.disabled = false;
          refusal.show(ex);
        }
      });
      parts.push(h('div.scan-action', { testid: 'scan-return-form' },
        h('p.small', { testid: 'scan-on-job', text: job ? t('scan.out_for', { number: job.number, title: job.title || '' }) : t('scan.out_other') }),
        h('fieldset.field', h('legend.field-label', { text: t('tool.condition') }), conds),
        field(t('tool.note'), fNote),
        refusal, h('div.flow-cta', btn)));
    } else if (tool.custody !== 'in_store') {
      parts.push(h('p.alert.alert-info', { testid: 'scan-not-available', text: t('scan.not_in_store', { custody: t('tool.custody.' + tool.custody) }) }));
    } else {
      const list = jobs || [];
      if (!list.length) {
        parts.push(h('p.alert.alert-info', { testid: 'scan-no-jobs', text: t('scan.no_jobs') }));
      } else {
        const sel = h('select.input', { testid: 'scan-plan' }, list.map((j) => h('option', {
          value: j.id, selected: j.id === planParam,
          text: `${j.number} · ${j.title || ''}（${statusName('plan', j.status)}）`,
        })));
        const btn = h('button.btn.btn-primary.btn-big', { type: 'button', testid: 'scan-checkout' }, icon('check', 'icon'), h('span', { text: t('scan.checkout') }));
        btn.addEventListener('click', async () => {
          refusal.show(null);
          warn.show(null);
          btn.disabled = true;
          try {
            const r = await checkout(tool.id, sel.value);
            const job = list.find((j) => j.id === sel.value);
            toast(t('scan.checked_out', { asset: tool.asset_no }));
            drawTool(r.tool, { warnings: r.warnings, done: { text: t('scan.checked_out_for', { asset: tool.asset_no, number: job ? job.number : '' }), planId: sel.value } });
          } catch (ex) {
            btn.disabled = false;
            refusal.show(ex);
          }
        });
        parts.push(h('div.scan-action', { testid: 'scan-checkout-form' },
          field(t('scan.for_job'), sel), refusal, h('div.flow-cta', btn)));
      }
    }
    mount(toolBox, h('section.card.scan-tool', { testid: 'scan-tool', dataset: { id: tool.id, asset: tool.asset_no, status: tool.status } },
      h('div.scan-tool-head',
        h('div',
          h('div.mono.scan-tool-asset', { testid: 'scan-tool-asset', text: tool.asset_no }),
          h('h2.scan-tool-name', { text: tool.name || kname })),
        toolStatusBadge(tool.status, 'scan-tool-status')),
      kvList([
        [t('tool.kind'), kname, 'scan-tool-kind'],
        [t('tool.next_test_due'), h('span', { class: dueClass(tool), text: dueText(tool) }), 'scan-tool-due'],
        [t('tool.last_test'), tool.last_test_date ? `${tool.last_test_date} · ${t('tool.result.' + (tool.last_test_result || 'pass'))}` : t('tool.never_tested')],
        [t('tool.custody'), t('tool.custody.' + tool.custody), 'scan-tool-custody'],
        tool.store || tool.location ? [t('tool.place'), [tool.store, tool.location].filter(Boolean).join(' · ')] : null,
        tool.checked_out_at ? [t('tool.checked_out_at'), fmtTime(tool.checked_out_at, { seconds: false })] : null,
      ]),
      parts));
    toolBox.scrollIntoView({ block: 'nearest' });
  }

  // ----- page
  const back = planParam
    ? appLink('/jobs/' + encodeURIComponent(planParam), t('scan.back_to_job'), navigate, { class: 'btn btn-sm btn-link', testid: 'scan-back-job' }) : null;
  el.append(
    h('div.page-head', h('h1.page-title', { text: t('scan.title'), tabindex: '-1' })),
    h('section.card.scan-card', { testid: 'scan-page' },
      back,
      modeLine,
      camBox, photoBox, scanErr,
      manual),
    toolBox);

  toolKinds().then((ks) => { kinds = ks; }).catch(() => {});
  qrDetector().then(({ detector: d, mode }) => {
    detector = d;
    modeLine.dataset.mode = mode;
    // offline, the decoder may not have been fetched: that is the network's doing, not the browser's
    modeLine.textContent = d ? t('scan.mode_detector') : navigator.onLine === false ? t('scan.mode_offline') : t('scan.mode_manual');
    if (d) {
      if (navigator.mediaDevices && navigator.mediaDevices.getUserMedia) drawCameraButton();
      drawPhotoInput();
    }
  });
  return true;
}
