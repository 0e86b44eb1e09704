// Login page: POST /api/v1/auth/login, keep the token, then hand over to the shell.
import { h, icon } from './dom.js';
import { t, getLang, setLang } from './i18n.js';
import { api, setToken, ApiError } from './api.js';
import { errorBox } from './ui.js';

export function langSwitch(onChanged) {
  const mk = (code, label, testid) => {
    const b = h('button.lang-btn', {
      type: 'button', testid, lang: code, text: label,
      'aria-pressed': getLang() === code ? 'true' : 'false',
      onclick: async () => {
        if (getLang() === code) return;
        await setLang(code);
        if (onChanged) onChanged(code);
      },
    });
    return b;
  };
  return h('div.lang-switch', { role: 'group', 'aria-label': t('user.language'), testid: 'lang-toggle' },
    icon('globe', 'icon icon-sm'),
    mk('zh-CN', '中文', 'lang-zh'),
    mk('en', 'English', 'lang-en'));
}

/**
 * Render the login page into root. notice: optional text (or function giving it,
 * so it follows a language switch) shown above the form, e.g. "session expired". onLoggedIn(loginResponse) is awaited after success.
 */
export function renderLogin(root, { notice, onLoggedIn, rerender, username: prefill }) {
  const username = h('input.input', {
    type: 'text', name: 'username', autocomplete: 'username', autocapitalize: 'none',
    spellcheck: 'false', required: true, maxlength: '64', testid: 'login-username', value: prefill || '',
  });
  const password = h('input.input', {
    type: 'password', name: 'password', autocomplete: 'current-password', required: true,
    testid: 'login-password',
  });
  const err = errorBox('login-error');
  const submit = h('button.btn.btn-primary.btn-block', { type: 'submit', testid: 'login-submit', text: t('login.submit') });

  const form = h('form.login-form', { testid: 'login-form', novalidate: true },
    h('h2.login-title', { text: t('login.title') }),
    notice ? h('div.alert.alert-info', { role: 'status', testid: 'login-notice', text: typeof notice === 'function' ? notice() : notice }) : null,
    h('div.field',
      h('label.field-label', { for: 'login-username', text: t('login.username') }),
      Object.assign(username, { id: 'login-username' })),
    h('div.field',
      h('label.field-label', { for: 'login-password', text: t('login.password') }),
      Object.assign(password, { id: 'login-password' })),
    err,
    submit);

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.show(null);
    const u = username.value.trim();
    const p = password.value;
    if (!u || !p) {
      err.show(t('login.required'));
      (u ? password : username).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = t('login.submitting');
    try {
      const res = await api('POST', '/auth/login', { body: { username: u, password: p }, auth: false });
      setToken(res && res.token);
      await onLoggedIn(res);
    } catch (e) {
      submit.disabled = false;
      submit.textContent = t('login.submit');
      let hint;
      if (e instanceof ApiError && e.code === 'account_locked') {
        let secs = Number(e.details && e.details.retry_after);
        if (!Number.isFinite(secs) || secs <= 0) secs = 15 * 60;
        hint = t('login.locked_retry', { minutes: Math.max(1, Math.ceil(secs / 60)) });
      }
      err.show(e instanceof ApiError ? e : t('error.unknown'), hint);
      password.value = '';
      password.focus();
    }
  });

  const page = h('div.login-page', { testid: 'login-page' },
    h('section.login-brand',
      h('div.brand-mark', icon('logo', 'icon icon-lg')),
      h('h1.login-product', { text: t('app.name') }),
      h('p.login-sub', { text: t('app.sub') }),
      h('p.login-tagline', { text: t('login.tagline') })),
    h('section.login-panel',
      h('div.login-top', langSwitch(() => rerender({ username: username.value }))),
      h('div.login-card', form),
      h('p.login-foot', { text: t('login.foot') })));
  root.replaceChildren(page);
  requestAnimationFrame(() => (prefill ? password : username).focus());
}
