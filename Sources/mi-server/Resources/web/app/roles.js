// @ts-check
/**
 * Which area of the app a signed-in user belongs in: doctors in the worklist, administrators (who are not also
 * doctors) in the administration pages. The server enforces every permission; this only spares an administrator the
 * "permission denied" of a worklist they may not read. Pure; unit-tested.
 */

/** Where administrators land. */
export const ADMIN_HOME = '/admin/registrations';
/** Where doctors land. */
export const DOCTOR_HOME = '/worklist';
/** Where patients (with an account, and no other role) land: their exams. */
export const PATIENT_HOME = '/patient';

/** Routes that show exams (doctor role). */
const DOCTOR_ROUTES = new Set(['worklist', 'study', 'reports']);

/**
 * The home of a user with these roles.
 * @param {ReadonlyArray<string>} roles
 */
export function landingPath(roles) {
  if (roles.includes('doctor')) return DOCTOR_HOME;
  if (roles.includes('administrator')) return ADMIN_HOME;
  return roles.includes('patient') ? PATIENT_HOME : DOCTOR_HOME;
}

/**
 * Where to send a user who opens a route, or null to show it: an administrator who is not a doctor goes from the
 * exam pages (and from `/`) to the administration area.
 * @param {string} routeName
 * @param {ReadonlyArray<string>} roles
 */
export function redirectFor(routeName, roles) {
  if (routeName !== 'home' && !DOCTOR_ROUTES.has(routeName)) return null;
  const home = landingPath(roles);
  if (routeName === 'home') return home;
  return home === ADMIN_HOME ? home : null;
}
