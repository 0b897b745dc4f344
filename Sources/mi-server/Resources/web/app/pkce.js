// @ts-check
/**
 * OAuth 2.0 PKCE helpers (RFC 7636): a random code verifier and its S256 challenge, with WebCrypto (available in
 * Safari 11+, every current browser and Node 20), plus the random `state` value (RFC 6749 §10.12).
 *
 * ```js
 * const verifier = randomVerifier();
 * const challenge = await challengeS256(verifier);   // code_challenge, code_challenge_method=S256
 * ```
 */

/**
 * Base64url without padding (RFC 4648 §5), as RFC 7636 §3 asks.
 * @param {Uint8Array} bytes
 */
export function base64url(bytes) {
  let binary = '';
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * A code verifier: 32 random octets, base64url-encoded, 43 characters of the unreserved set (RFC 7636 §4.1
 * recommends exactly this).
 * @param {Crypto} [crypto]
 */
export function randomVerifier(crypto = globalThis.crypto) {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/**
 * A random `state` (or any opaque token): 16 random octets, base64url.
 * @param {Crypto} [crypto]
 */
export function randomState(crypto = globalThis.crypto) {
  return base64url(crypto.getRandomValues(new Uint8Array(16)));
}

/** The characters and length a code verifier may have (RFC 7636 §4.1). */
export const VERIFIER_PATTERN = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * The S256 code challenge of a verifier: BASE64URL(SHA256(ASCII(verifier))) (RFC 7636 §4.2).
 * @param {string} verifier
 * @param {Crypto} [crypto]
 * @returns {Promise<string>}
 */
export async function challengeS256(verifier, crypto = globalThis.crypto) {
  if (!VERIFIER_PATTERN.test(verifier)) throw new RangeError('a code verifier is 43–128 unreserved characters');
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}
