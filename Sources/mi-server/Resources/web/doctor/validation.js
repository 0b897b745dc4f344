// @ts-check
/**
 * Checks of the sign-up and password forms, the same rules the server applies (`PlatformStore.register`,
 * `SecurityPolicy`), so that the doctor hears about a mistake at the field before sending. Each check returns a
 * message key or null. Pure; unit-tested.
 */

/** @param {string} name */
export function checkName(name) {
  const n = name.trim();
  if (!n) return 'validation.required';
  return n.length > 64 ? 'validation.nameTooLong' : null;
}

/** 5–20 digits with an optional leading `+` (the server's rule); Chinese mobiles are 11 digits starting with 1. */
export function checkPhone(/** @type {string} */ phone) {
  const p = phone.trim().replace(/[\s-]/g, '');
  if (!p) return 'validation.required';
  return /^\+?\d{5,20}$/.test(p) ? null : 'validation.phone';
}

/** 3–32 letters, digits, `.`, `-`, `_`. */
export function checkUsername(/** @type {string} */ username) {
  if (!username) return 'validation.required';
  return /^[A-Za-z0-9._-]{3,32}$/.test(username) ? null : 'validation.username';
}

/**
 * At least 8 characters (at most 128) mixing two of: lower case, upper case, digits, symbols.
 * @param {string} password
 */
export function checkPassword(password) {
  if (!password) return 'validation.required';
  if ([...password].length < 8) return 'validation.passwordShort';
  if ([...password].length > 128) return 'validation.passwordLong';
  const classes = [/\p{Ll}/u, /\p{Lu}/u, /\p{N}/u, /[^\p{L}\p{N}]/u].filter((r) => r.test(password)).length;
  return classes >= 2 ? null : 'validation.passwordClasses';
}

/** @param {string} password @param {string} confirm */
export function checkConfirm(password, confirm) {
  if (!confirm) return 'validation.required';
  return password === confirm ? null : 'validation.passwordMismatch';
}

/** @param {string} value */
export function checkRequired(value) {
  return value.trim() ? null : 'validation.required';
}

/** Professional titles offered at sign-up (stored as the Chinese title the hospitals use). */
export const TITLES = Object.freeze([
  { value: '住院医师', key: 'title.resident' },
  { value: '主治医师', key: 'title.attending' },
  { value: '副主任医师', key: 'title.associateChief' },
  { value: '主任医师', key: 'title.chief' },
  { value: '技师', key: 'title.technologist' },
  { value: '其他', key: 'title.other' },
]);
