import Crypto
import Foundation
import PersonioAPI

/// One Personio client per source and credential, kept between runs so its token (valid 24 h) and
/// its rate limits carry over: an incremental tick then costs exactly one request.
public actor PersonioClients {
    private let make: SyncRunner.ClientFactory
    private var clients: [String: PersonioClient] = [:]

    public init(make: @escaping SyncRunner.ClientFactory) {
        self.make = make
    }

    /// `apiVersion`: which of Personio's APIs the source reads through (see `PersonioAPIVersion.Choice`).
    public func client(baseURL: String, credentials: PersonioCredentials, apiVersion: PersonioAPIVersion.Choice = .v1) -> PersonioClient {
        // Keyed by a digest of the secret, never the secret itself.
        let key = [baseURL, credentials.clientID, SHA256.hash(data: Data(credentials.clientSecret.utf8)).description, credentials.partnerID ?? "",
                   credentials.appID ?? "", apiVersion.rawValue].joined(separator: "\u{1F}")
        if let client = clients[key] { return client }
        let made = make(baseURL, credentials)
        let client = made.configuration.apiVersion == apiVersion ? made : made.configured { $0.apiVersion = apiVersion }
        clients[key] = client
        return client
    }
}
