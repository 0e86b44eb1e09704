// The job's facts under the panels: date, place, leader, crew, supervision, content and its work orders.
import { h, icon } from '../dom.js';
import { t, fmtTime } from '../i18n.js';
import { kindName, personName, kvList } from '../fw.js';

/** f: the job flow's context (../jobflow.js). Returns the function that draws this step's panel. */
export function infoPart(f) {
  const { s } = f;
  function info() {
    const p = s.plan;
    const orders = p.work_orders || [];
    const leader = p.leader ? h('span',
      h('span', { text: personName(p.leader) }),
      p.leader.phone ? h('a.tel', { href: 'tel:' + p.leader.phone, text: p.leader.phone }) : null) : null;
    return h('section.job-info', { testid: 'job-info' },
      h('h3.section-title', { text: t('flow.info') }),
      kvList([
        [t('plan.date'), p.date],
        [t('plan.place'), p.place],
        [t('plan.leader'), leader],
        [t('plan.crew'), (p.crew || []).length ? h('div.chips', p.crew.map((c) => h('span.chip', { text: personName(c) }))) : null],
        p.high_risk ? [t('plan.high_risk'), t('risk.high_hint')] : null,
        p.video_link ? [t('plan.video_link'), h('span.mono.small', { text: p.video_link })] : null,
        [t('plan.content'), p.content ? h('div.pre-line', { text: p.content }) : null],
      ]),
      h('h3.section-title', { text: t('plan.orders_n', { n: orders.length }) }),
      h('ul.job-orders.job-orders-detail', { testid: 'job-detail-orders' }, orders.map((o) => h('li.job-order', { testid: 'job-order-' + o.number },
        h('div.job-order-main',
          h('span.job-order-customer', { text: o.customer_name || '—' }),
          h('span.mono.small', { text: o.number })),
        h('div.small', { text: kindName(o.kind) }),
        o.site_address ? h('div.job-order-addr', icon('place', 'icon icon-sm'), h('span', { text: o.site_address })) : null,
        kvList([
          contact(o) ? [t('order.contact'), contact(o), 'job-order-contact-' + o.number] : null,
          o.appointment_from || o.appointment_to ? [t('order.appointment'),
            `${o.appointment_from ? fmtTime(o.appointment_from, { seconds: false }) : '…'} – ${o.appointment_to ? fmtTime(o.appointment_to, { seconds: false }) : '…'}`,
            'job-order-appointment-' + o.number] : null,
          [t('order.customer_no'), o.customer_no ? h('span.mono', { text: o.customer_no }) : null],
          [t('order.meter_asset_no'), o.meter_asset_no ? h('span.mono', { text: o.meter_asset_no }) : null],
        ], 'kv-compact-rows')))));
  }

  return info;
}

/** Who to call on site: a whole number is a tel: link, a masked one (with *) plain text. */
function contact(o) {
  if (!o.contact_name && !o.contact_phone) return null;
  const phone = o.contact_phone
    ? (o.contact_phone.includes('*') ? h('span.mono', { text: o.contact_phone })
      : h('a.tel', { href: 'tel:' + o.contact_phone.replace(/[^0-9+]/g, ''), text: o.contact_phone }))
    : null;
  return h('span', h('span', { text: o.contact_name || '' }), o.contact_name && phone ? ' ' : '', phone);
}
