import Testing
@testable import PlatformServices

/// Secrets that people paste into command lines (`mi-cli import --client-secret S`, a temporary password) must not be
/// mistaken for options: a base64url token begins with `-` once in 64 draws, and a dash-first secret once broke CI.
@Suite struct SecureRandomTests {
    @Test func tokensNeverBeginWithADash() {
        for _ in 0..<4_000 {
            let token = SecureRandom.token()
            #expect(token.first != "-", "\(token)")
            #expect(Base64URL.decode(token)?.count == 32)
        }
    }

    @Test func temporaryPasswordsNeverBeginWithADashAndKeepEveryCharacterClass() {
        for _ in 0..<2_000 {
            let password = SecureRandom.password()
            #expect(password.count == 14)
            #expect(password.first != "-", "\(password)")
            #expect(password.contains("-") && password.contains(where: \.isLowercase)
                    && password.contains(where: \.isUppercase) && password.contains(where: \.isNumber))
        }
    }
}
