import Fluent
import PersonioAPI
import Foundation

/// One Personio account. The client secret is stored sealed by the `Vault`
/// (context `source:<id>:client_secret`); one fetch of a source serves all its connections.
public final class SourceModel: Model, @unchecked Sendable {
    public static let schema = "sources"

    @ID(key: .id) public var id: UUID?
    @Parent(key: "workspace_id") public var workspace: WorkspaceModel
    @Field(key: "name") public var name: String
    /// Real Personio (`https://api.personio.de/v1`) or a sandbox.
    @Field(key: "base_url") public var baseURL: String
    @Field(key: "client_id") public var clientID: String
    @Field(key: "sealed_client_secret") public var sealedClientSecret: String
    @OptionalField(key: "partner_id") public var partnerID: String?
    @OptionalField(key: "app_id") public var appID: String?
    /// The last listing's high-water mark for `updated_since` (Personio's clock, minus the overlap).
    @OptionalField(key: "updated_since") public var updatedSince: Date?
    @OptionalField(key: "last_full_at") public var lastFullAt: Date?
    /// The company's Personio in the browser, for links to an employee; nil when not given.
    @OptionalField(key: "web_url") public var webURL: String?
    /// `v1`, `v2` or `auto`; nil (sources from before the choice) reads through v1.
    @OptionalField(key: "api_version") public var apiVersion: String?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    public init() {}

    public init(id: UUID? = nil, workspaceID: UUID, name: String, baseURL: String, clientID: String, sealedClientSecret: String,
                partnerID: String? = nil, appID: String? = nil) {
        self.id = id
        self.$workspace.id = workspaceID
        self.name = name
        self.baseURL = baseURL
        self.clientID = clientID
        self.sealedClientSecret = sealedClientSecret
        self.partnerID = partnerID
        self.appID = appID
    }
}

extension SourceModel {
    /// The API the source reads through.
    var personioAPI: PersonioAPIVersion.Choice {
        apiVersion.flatMap(PersonioAPIVersion.Choice.init(rawValue:)) ?? .v1
    }
}
