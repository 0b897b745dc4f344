// @ts-check
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base64url, randomVerifier, randomState, challengeS256, VERIFIER_PATTERN } from '../../../Sources/mi-server/Resources/web/app/pkce.js';

test('testS256ChallengeMatchesRFC7636AppendixB', async () => {
  // RFC 7636 Appendix B: the example verifier and its S256 challenge.
  assert.equal(await challengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'), 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
});

test('testBase64urlHasNoPaddingAndUsesTheURLAlphabet', () => {
  assert.equal(base64url(new Uint8Array([0xfb, 0xff])), '-_8');
  assert.equal(base64url(new Uint8Array([])), '');
  // The octets of RFC 7636 Appendix B's verifier.
  const octets = [116, 24, 223, 180, 151, 153, 224, 37, 79, 250, 96, 125, 216, 173, 187, 186, 22, 212, 37, 77, 105, 214, 191, 240, 91, 88, 5, 88, 83, 132, 141, 121];
  assert.equal(base64url(new Uint8Array(octets)), 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk');
});

test('testVerifiersAreRandom43CharacterUnreservedStrings', () => {
  const seen = new Set();
  for (let i = 0; i < 50; i++) {
    const v = randomVerifier();
    assert.ok(VERIFIER_PATTERN.test(v), v);
    assert.equal(v.length, 43);
    seen.add(v);
  }
  assert.equal(seen.size, 50);
  assert.notEqual(randomState(), randomState());
});

test('testAChallengeIsRefusedForAVerifierTheServerWouldReject', async () => {
  await assert.rejects(challengeS256('short'), RangeError);
  await assert.rejects(challengeS256('x'.repeat(129)), RangeError);
  await assert.rejects(challengeS256(`${'a'.repeat(42)}+`), RangeError);
});
