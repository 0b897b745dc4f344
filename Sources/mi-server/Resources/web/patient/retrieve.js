// @ts-check
/**
 * `/patient/retrieve`: manual retrieval by name, hospital, exam number (accession number or patient ID) and exam
 * date. The server matches exactly after normalising width, spaces and case, and answers every miss the same way,
 * so the page has one failure message that does not say which field was wrong; too many tries get their own.
 */

import { h, replace } from '../app/dom.js';
import { ApiError } from '../app/api.js';
import { field, input, select } from '../doctor/form.js';
import { patientHeader } from './patient-context.js';
import { TokenStore, PATIENT_KEY } from './patient-session.js';

/** @type {import('../app/context.js').PageFactory} */
export function render(ctx) {
  const { t } = ctx;
  const name = input('text', { autocomplete: 'name', maxlength: '64' });
  const hospital = select([{ value: '', label: t('retrieve.pickHospital') }]);
  const number = input('text', { autocomplete: 'off', autocapitalize: 'characters', maxlength: '64' });
  const date = input('date', { max: new Date().toISOString().slice(0, 10) });
  const fields = {
    name: field({ id: 'retrieve-name', label: t('retrieve.name'), control: name }),
    hospital: field({ id: 'retrieve-hospital', label: t('retrieve.hospital'), control: hospital }),
    number: field({ id: 'retrieve-exam-number', label: t('retrieve.examNumber'), control: number, hint: t('retrieve.examNumberHint') }),
    date: field({ id: 'retrieve-exam-date', label: t('retrieve.examDate'), control: date }),
  };
  const error = h('p', { class: 'form-error', testid: 'retrieve-error', role: 'alert' });
  const submit = h('button', { class: 'btn primary block', type: 'submit', testid: 'retrieve-submit' }, t('retrieve.submit'));
  const form = h('form', { class: 'card form', novalidate: true },
    h('h2', null, t('retrieve.title')), h('p', { class: 'muted' }, t('retrieve.intro')),
    fields.name.element, fields.hospital.element, fields.number.element, fields.date.element, error, submit);
  const element = h('div', { class: 'page page-patient' },
    patientHeader(ctx, { title: t('retrieve.title'), back: '/patient' }),
    h('main', { class: 'content narrow patient-body' }, form));

  ctx.hospitals().then((list) => {
    replace(hospital, h('option', { value: '' }, t('retrieve.pickHospital')), list.map((x) => h('option', { value: x.id }, x.name)));
    if (list.length === 1) hospital.value = list[0].id;
  }).catch(() => { error.textContent = t('error.network.detail'); });

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    /** @type {Array<[{ setError: (message: string | null) => void }, string]>} */
    const required = [[fields.name, name.value.trim()], [fields.hospital, hospital.value], [fields.number, number.value.trim()], [fields.date, date.value]];
    let missing = false;
    for (const [f, v] of required) { f.setError(v ? null : t('retrieve.required')); missing = missing || !v; }
    if (missing) return;
    submit.disabled = true;
    try {
      const entry = await ctx.api.post('/api/v1/patient-access/retrieve',
        { name: name.value.trim(), hospitalId: hospital.value, examNumber: number.value.trim(), examDate: date.value }, { auth: false });
      new TokenStore(PATIENT_KEY).save(entry.session);
      ctx.navigate(`/patient/exams/${encodeURIComponent(entry.exam.studyInstanceUID)}`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 429) error.textContent = t('retrieve.throttled');
      else if (err instanceof ApiError && err.kind === 'network') error.textContent = t('error.network.detail');
      else error.textContent = t('retrieve.notFound');
    } finally { submit.disabled = false; }
  });
  return { element, title: t('retrieve.title') };
}
