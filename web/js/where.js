// Where a safety step was confirmed: a place typed (prefilled with the job's place), and the phone's position when
// the person asks for it (no prompt otherwise). value() gives the body fields the server takes: place, lat, lng.
import { h } from './dom.js';
import { t } from './i18n.js';

/** state: an object kept across redraws ({place, pos}); place: the default text. */
export function whereControl({ testid, state, place }) {
  if (state.place === undefined) state.place = place || '';
  const input = h('input.input', { testid: testid + '-place', value: state.place, maxlength: '200', 'aria-label': t('where.place'),
    placeholder: t('where.place_hint') });
  input.addEventListener('input', () => { state.place = input.value; });
  const posText = h('span.small.muted', { testid: testid + '-pos', text: state.pos ? `${state.pos.lat}, ${state.pos.lng}` : '' });
  const locate = h('button.btn.btn-sm', { type: 'button', testid: testid + '-locate', text: t('where.locate') });
  locate.addEventListener('click', () => {
    if (!navigator.geolocation) { posText.textContent = t('where.no_position'); return; }
    locate.disabled = true;
    navigator.geolocation.getCurrentPosition((p) => {
      state.pos = { lat: Math.round(p.coords.latitude * 1e6) / 1e6, lng: Math.round(p.coords.longitude * 1e6) / 1e6 };
      posText.textContent = `${state.pos.lat}, ${state.pos.lng}`;
      locate.disabled = false;
    }, () => { posText.textContent = t('where.no_position'); locate.disabled = false; }, { timeout: 8000, maximumAge: 60000 });
  });
  const el = h('div.where', { testid },
    h('label.field-label', { text: t('where.title') }),
    h('div.where-row', input, locate), posText);
  return { el, value: () => ({ ...(state.place.trim() ? { place: state.place.trim() } : {}), ...(state.pos || {}) }) };
}
