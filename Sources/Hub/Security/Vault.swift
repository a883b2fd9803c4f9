import Crypto
import Foundation

/// Encrypts secrets at rest (Personio client secrets, SCIM tokens, webhook secrets) with AES-256-GCM
/// under `ROLLCALL_MASTER_KEY`. Each sealed value is bound to a context naming where it is stored
/// (`source:<id>:client_secret`), so a value copied into another row does not open there.
public struct Vault: Sendable {
    private let key: SymmetricKey

    public enum VaultError: Error, Equatable, CustomStringConvertible {
        case badMasterKey
        case malformed
        case cannotOpen

        public var description: String {
            switch self {
            case .badMasterKey: "the master key must be 32 bytes"
            case .malformed: "the stored secret is not in the vault's format"
            case .cannotOpen: "the stored secret cannot be decrypted with this master key (was ROLLCALL_MASTER_KEY changed?)"
            }
        }
    }

    public init(masterKey: Data) throws(VaultError) {
        guard masterKey.count == 32 else { throw .badMasterKey }
        key = SymmetricKey(data: masterKey)
    }

    /// A new random 32-byte key (the demo uses one per run).
    public static func randomKey() -> Data {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
    }

    /// `v1:` + base64 of nonce, ciphertext and tag.
    public func seal(_ secret: String, context: String) throws -> String {
        let box = try AES.GCM.seal(Data(secret.utf8), using: key, authenticating: Data(context.utf8))
        guard let combined = box.combined else { throw VaultError.malformed }
        return "v1:" + combined.base64EncodedString()
    }

    public func open(_ sealed: String, context: String) throws(VaultError) -> String {
        guard sealed.hasPrefix("v1:"), let combined = Data(base64Encoded: String(sealed.dropFirst(3))) else { throw .malformed }
        do {
            let box = try AES.GCM.SealedBox(combined: combined)
            let plain = try AES.GCM.open(box, using: key, authenticating: Data(context.utf8))
            guard let text = String(data: plain, encoding: .utf8) else { throw VaultError.malformed }
            return text
        } catch let error as VaultError {
            throw error
        } catch {
            throw .cannotOpen
        }
    }
}
