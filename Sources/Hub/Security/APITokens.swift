import Crypto
import Fluent
import Foundation

/// API tokens: `rc_` and 43 URL-safe characters (32 random bytes). Only their SHA-256 is stored.
public enum APITokens {
    /// Creates a token for a workspace; the returned text is shown once and never stored.
    public static func create(workspaceID: UUID, name: String, scopes: [String] = ["read", "write"],
                              on database: any Database) async throws -> (token: String, model: APITokenModel) {
        let token = "rc_" + randomText()
        return (token, try await store(token, workspaceID: workspaceID, name: name, scopes: scopes, on: database))
    }

    /// Stores a token chosen by the caller (`rollcall demo --api-token`).
    public static func store(_ token: String, workspaceID: UUID, name: String, scopes: [String] = ["read", "write"],
                             on database: any Database) async throws -> APITokenModel {
        let model = APITokenModel(workspaceID: workspaceID, name: name, tokenHash: digest(token), prefix: String(token.prefix(7)),
                                  scopes: scopes)
        try await model.save(on: database)
        return model
    }

    /// 32 random bytes as URL-safe base64 without padding (43 characters): tokens, session ids, CSRF tokens.
    static func randomText() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }.base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The token's record when it is valid.
    static func find(_ token: String, on database: any Database) async throws -> APITokenModel? {
        try await APITokenModel.query(on: database).filter(\.$tokenHash == digest(token)).filter(\.$revokedAt == nil).first()
    }
}
