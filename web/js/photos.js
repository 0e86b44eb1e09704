// Photos on the job: taken with the phone's camera (<input type=file accept=image/* capture=environment>),
// uploaded as they are picked (POST /attachments with the raw file and its Content-Type), and shown as thumbnails.
// GET /attachments/{id}/content needs the bearer header, so thumbnails are fetched as blobs (api.attachmentUrl).
import { h, icon } from './dom.js';
import { t } from './i18n.js';
import { upload, attachmentUrl } from './api.js';
import { errorBox } from './ui.js';

/** The attachment id of a photo entry, whatever its shape ({id} / {attachment_id} / a bare id). */
export const photoId = (p) => (p && typeof p === 'object' ? p.id || p.attachment_id || p.evidence_id : p);

/** A thumbnail of an attachment; a tap opens it large. */
export function thumb(id, { testid, label } = {}) {
  const img = h('img.thumb-img', { alt: label || t('photo.alt'), decoding: 'async' });
  const btn = h('button.thumb', { type: 'button', testid: testid || 'thumb', dataset: { id }, title: label || t('photo.open'), 'aria-label': label || t('photo.open') },
    h('span.thumb-wait.spinner', { 'aria-hidden': 'true' }), img);
  const failed = () => {
    btn.classList.add('failed');
    btn.title = t('photo.failed');
  };
  img.addEventListener('load', () => btn.classList.add('loaded'));
  img.addEventListener('error', failed);
  attachmentUrl(id).then((url) => { img.src = url; }).catch(failed);
  btn.addEventListener('click', () => viewPhoto(id, label));
  return btn;
}

/** A row of thumbnails (nothing when there are none). */
export function thumbs(list, { testid } = {}) {
  const ids = (list || []).map(photoId).filter(Boolean);
  if (!ids.length) return null;
  return h('div.thumbs', { testid }, ids.map((id) => thumb(id, { testid: (testid || 'photo') + '-thumb' })));
}

function viewPhoto(id, label) {
  const img = h('img.viewer-img', { alt: label || t('photo.alt') });
  const close = h('button.btn', { type: 'button', testid: 'photo-viewer-close', text: t('common.close') });
  const dlg = h('dialog.dialog.viewer', { testid: 'photo-viewer' }, h('div.viewer-body', img, h('div.dialog-actions', close)));
  const done = () => { dlg.close(); dlg.remove(); };
  close.addEventListener('click', done);
  dlg.addEventListener('cancel', (e) => { e.preventDefault(); done(); });
  dlg.addEventListener('click', (e) => { if (e.target === dlg) done(); });
  attachmentUrl(id).then((url) => { img.src = url; }).catch(() => {});
  document.body.append(dlg);
  dlg.showModal();
}

/**
 * A camera button that uploads what is picked. entity / entityId: what the photos belong to (entityId may be a
 * function, read at upload time). onUploaded(meta) for each file the server took. Returns the element; the
 * <input type=file> inside carries testid + '-input' (tests feed files to it).
 */
export function photoPicker({ entity, entityId, testid, label, onUploaded, multiple = true, disabled = false }) {
  const input = h('input.visually-hidden', {
    type: 'file', accept: 'image/*', capture: 'environment', multiple, testid: testid + '-input', disabled,
    'aria-label': label || t('photo.take'),
  });
  const status = h('span.photo-status.small', { role: 'status', testid: testid + '-status' });
  const err = errorBox(testid + '-error');
  const btn = h('label.btn.btn-photo', { class: disabled ? 'disabled' : '', testid },
    input, icon('camera', 'icon'), h('span', { text: label || t('photo.take') }));
  input.addEventListener('change', async () => {
    const files = Array.from(input.files || []);
    input.value = '';
    if (!files.length) return;
    err.show(null);
    btn.classList.add('busy');
    input.disabled = true;
    try {
      for (let i = 0; i < files.length; i++) {
        status.textContent = t('photo.uploading', { i: i + 1, n: files.length });
        const id = typeof entityId === 'function' ? entityId() : entityId;
        const meta = await upload(entity, id, files[i]);
        if (onUploaded) await onUploaded(meta);
      }
      status.textContent = t('photo.uploaded', { n: files.length });
    } catch (ex) {
      status.textContent = '';
      err.show(ex);
    } finally {
      btn.classList.remove('busy');
      input.disabled = false;
    }
  });
  return h('div.photo-picker', btn, status, err);
}

/**
 * Photos picked for something not yet sent (a step's record, the ticket's end): a picker plus the thumbnails
 * taken so far, each removable. ids() gives the attachment ids to send.
 */
export function pendingPhotos({ entity, entityId, testid, label, required = false, onChange }) {
  const ids = [];
  const strip = h('div.thumbs', { testid: testid + '-list' });
  const draw = () => {
    strip.replaceChildren(...ids.map((id) => h('span.thumb-wrap',
      thumb(id, { testid: testid + '-thumb' }),
      h('button.thumb-x', {
        type: 'button', 'aria-label': t('photo.remove'), text: '×',
        onclick: () => { ids.splice(ids.indexOf(id), 1); draw(); },
      }))));
    if (onChange) onChange(ids.slice());
  };
  const picker = photoPicker({ entity, entityId, testid, label, onUploaded: (m) => { ids.push(m.id); draw(); } });
  const el = h('div.pending-photos', { class: required ? 'required' : '' }, picker, strip);
  el.ids = () => ids.slice();
  return el;
}
