// @ts-check
/** Pure helpers of the patient pages (unit-tested in Node). */

/**
 * Digits as typed on any keyboard: full-width digits (a Chinese IME) become ASCII; spaces, dashes, slashes and dots
 * (`1980-05-12`, `1980/05/12`) are dropped.
 * @param {string} raw
 */
export function normaliseDigits(raw) {
  return raw.replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xFF10 + 48)).replace(/[\s\-/.\u3000\uFF0D\uFF0F]/g, '');
}

/**
 * The other exams of the patient, newest first (the history list of the patient home).
 * @template {{ studyInstanceUID: string, studyDate: string, studyTime: string }} E
 * @param {E[]} exams
 * @param {string} currentUID
 * @returns {E[]}
 */
export function historyOf(exams, currentUID) {
  return exams.filter((e) => e.studyInstanceUID !== currentUID)
    .sort((a, b) => `${b.studyDate}${b.studyTime}`.localeCompare(`${a.studyDate}${a.studyTime}`));
}

/**
 * The shares of one exam that are still running, soonest end first.
 * @template {{ studyInstanceUID: string, expiresAt: string }} S
 * @param {S[]} shares
 * @param {string} studyUID
 * @param {number} [now] epoch ms
 * @returns {S[]}
 */
export function activeSharesOf(shares, studyUID, now = Date.now()) {
  return shares.filter((s) => s.studyInstanceUID === studyUID && !(Date.parse(s.expiresAt) <= now))
    .sort((a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt));
}
