import Foundation

/// A SCIM 2.0 User (RFC 7643 §4.1) with the enterprise extension (§4.3): what Rollcall sends, and
/// what it reads of the app's users. Read leniently: an app's attribute of an unexpected type is
/// read as absent, never a failure of the whole answer. Booleans stay booleans (`active` is sent as
/// a string only for apps that need it).
public struct SCIMUser: Codable, Sendable, Equatable {
    public var schemas: [String]?
    public var id: String?
    public var externalId: String?
    public var userName: String?
    public var active: Active?
    public var displayName: String?
    public var title: String?
    public var name: Name?
    public var emails: [MultiValued]?
    public var phoneNumbers: [MultiValued]?
    public var enterprise: Enterprise?

    public init() {}

    public struct Name: Codable, Sendable, Equatable {
        public var givenName: String?
        public var familyName: String?
        public var formatted: String?

        public init(givenName: String?, familyName: String?, formatted: String?) {
            (self.givenName, self.familyName, self.formatted) = (givenName, familyName, formatted)
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            (givenName, familyName, formatted) = (container.lenient(.givenName), container.lenient(.familyName), container.lenient(.formatted))
        }
    }

    /// One e-mail address or phone number.
    public struct MultiValued: Codable, Sendable, Equatable {
        public var value: String?
        public var type: String?
        public var primary: Bool?

        public init(value: String?, type: String?, primary: Bool?) {
            (self.value, self.type, self.primary) = (value, type, primary)
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            (value, type, primary) = (container.lenient(.value), container.lenient(.type), container.lenient(.primary))
        }
    }

    public struct Enterprise: Codable, Sendable, Equatable {
        public var employeeNumber: String?
        public var department: String?
        public var organization: String?
        public var manager: Manager?

        public init(employeeNumber: String?, department: String?, organization: String?, manager: Manager? = nil) {
            (self.employeeNumber, self.department, self.organization, self.manager) = (employeeNumber, department, organization, manager)
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            (employeeNumber, department) = (container.lenient(.employeeNumber), container.lenient(.department))
            (organization, manager) = (container.lenient(.organization), container.lenient(.manager))
        }

        public struct Manager: Codable, Sendable, Equatable {
            public var value: String?

            public init(value: String?) { self.value = value }

            public init(from decoder: any Decoder) throws {
                value = try decoder.container(keyedBy: CodingKeys.self).lenient(.value)
            }
        }
    }

    /// Whether the user may sign in: a JSON boolean, or (`booleansAsStrings`) `"true"`/`"false"`.
    public enum Active: Codable, Sendable, Equatable {
        case boolean(Bool)
        case text(Bool)

        public init(_ value: Bool, asText: Bool) { self = asText ? .text(value) : .boolean(value) }

        public var value: Bool {
            switch self {
            case .boolean(let value), .text(let value): value
            }
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Bool.self) {
                self = .boolean(value)
            } else {
                self = .text(try container.decode(String.self).lowercased() == "true")
            }
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .boolean(let value): try container.encode(value)
            case .text(let value): try container.encode(value ? "true" : "false")
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case schemas, id, externalId, userName, active, displayName, title, name, emails, phoneNumbers
        case enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        (schemas, id, externalId, userName) = (container.lenient(.schemas), container.lenient(.id), container.lenient(.externalId),
                                               container.lenient(.userName))
        (active, displayName, title, name) = (container.lenient(.active), container.lenient(.displayName), container.lenient(.title),
                                              container.lenient(.name))
        (emails, phoneNumbers, enterprise) = (container.lenient(.emails), container.lenient(.phoneNumbers), container.lenient(.enterprise))
    }

    /// The user's e-mail addresses.
    public var emailValues: [String] { (emails ?? []).compactMap(\.value) }
}

/// A SCIM PatchOp (RFC 7644 §3.5.2) that replaces the user's attributes with `value`.
public struct SCIMPatchOp: Encodable, Sendable {
    public var schemas = [SCIMTarget.patchSchema]
    public var operations: [Operation]

    public struct Operation: Encodable, Sendable {
        public var op: String
        public var value: SCIMUser
    }

    public static func replace(with value: SCIMUser) -> SCIMPatchOp {
        SCIMPatchOp(operations: [Operation(op: "replace", value: value)])
    }

    enum CodingKeys: String, CodingKey {
        case schemas, operations = "Operations"
    }
}

/// A SCIM ListResponse (RFC 7644 §3.4.2), or the bare array some apps answer instead. A resource
/// that cannot be read at all is left out, not a failure of the page.
public struct SCIMListResponse<Resource: Decodable & Sendable>: Decodable, Sendable {
    public var totalResults: Int?
    public var resources: [Resource]
    /// Whether the answer had a `Resources` array (an empty result may leave it out).
    public var hasResources: Bool
    /// Whether the answer was a bare array rather than a ListResponse object.
    public var isBareArray: Bool

    /// A ListResponse object: it has `totalResults` or `Resources`.
    public var isListResponse: Bool { !isBareArray && (totalResults != nil || hasResources) }

    enum CodingKeys: String, CodingKey {
        case totalResults, resources = "Resources"
    }

    private struct Lenient: Decodable {
        var resource: Resource?
        init(from decoder: any Decoder) throws { resource = try? Resource(from: decoder) }
    }

    public init(from decoder: any Decoder) throws {
        if let array = try? decoder.singleValueContainer().decode([Lenient].self) {
            (totalResults, resources, hasResources, isBareArray) = (nil, array.compactMap(\.resource), true, true)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        totalResults = container.lenient(.totalResults)
        let listed: [Lenient]? = container.lenient(.resources)
        resources = listed?.compactMap(\.resource) ?? []
        hasResources = listed != nil
        isBareArray = false
    }
}

/// A SCIM error body (RFC 7644 §3.12).
public struct SCIMErrorBody: Decodable, Sendable {
    public var scimType: String?
    public var detail: String?

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        (scimType, detail) = (container.lenient(.scimType), container.lenient(.detail))
    }

    enum CodingKeys: String, CodingKey { case scimType, detail }
}

/// What `/ServiceProviderConfig` says is supported (RFC 7643 §5).
public struct SCIMServiceProviderConfig: Decodable, Sendable {
    public var patch: Bool
    public var filter: Bool
    public var bulk: Bool

    private struct Supported: Decodable {
        var supported: Bool?
    }

    enum CodingKeys: String, CodingKey { case patch, filter, bulk }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        func supported(_ key: CodingKeys) -> Bool { (container.lenient(key) as Supported?)?.supported ?? false }
        (patch, filter, bulk) = (supported(.patch), supported(.filter), supported(.bulk))
    }
}

/// One schema of `/Schemas` (RFC 7643 §7), as far as Rollcall reads it.
public struct SCIMSchema: Decodable, Sendable {
    public var id: String
    public var attributes: [Attribute]

    public struct Attribute: Decodable, Sendable {
        public var name: String
        public var mutability: String?
        public var subAttributes: [Attribute]

        enum CodingKeys: String, CodingKey { case name, mutability, subAttributes }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            mutability = container.lenient(.mutability)
            subAttributes = (container.lenient(.subAttributes) as SCIMListResponse<Attribute>?)?.resources ?? []
        }

        /// Declared read-only: sending it is refused by strict apps.
        var isReadOnly: Bool { mutability?.lowercased() == "readonly" }
    }

    enum CodingKeys: String, CodingKey { case id, attributes }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        id = try container.decode(String.self, forKey: .id)
        attributes = (container.lenient(.attributes) as SCIMListResponse<Attribute>?)?.resources ?? []
    }
}

/// One resource type of `/ResourceTypes` (RFC 7643 §6), as far as Rollcall reads it.
public struct SCIMResourceType: Decodable, Sendable {
    public var schema: String?
    public var schemaExtensions: [Extension]

    public struct Extension: Decodable, Sendable {
        public var schema: String
    }

    enum CodingKeys: String, CodingKey { case schema, schemaExtensions }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schema = container.lenient(.schema)
        schemaExtensions = (container.lenient(.schemaExtensions) as SCIMListResponse<Extension>?)?.resources ?? []
    }
}

extension KeyedDecodingContainer {
    /// The value at `key`, or nil when it is absent, null or of another type than expected.
    func lenient<T: Decodable>(_ key: Key) -> T? {
        (try? decodeIfPresent(T.self, forKey: key)) ?? nil
    }
}
