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

    public func client(baseURL: String, credentials: PersonioCredentials) -> PersonioClient {
        // Keyed by a digest of the secret, never the secret itself.
        let key = [baseURL, credentials.clientId, SHA256.hash(data: Data(credentials.clientSecret.utf8)).description, credentials.partnerId ?? "",
                   credentials.appId ?? ""].joined(separator: "\u{1F}")
        if let client = clients[key] { return client }
        let client = make(baseURL, credentials)
        clients[key] = client
        return client
    }
}
