import Foundation

/// An attribute the credential may read, as `GET /company/employees/attributes` lists it.
public struct PersonioAttribute: Sendable, Equatable {
    public var key: String
    public var label: String
    public var type: String
    public var universalId: String?
    public var options: [String]
}

/// What a credential can do, checked live: fit to show on a connect page as a checklist.
public struct PersonioDiagnosis: Sendable {
    public struct AttributeCheck: Sendable, Equatable {
        public var key: String
        public var label: String
        public var required: Bool
        public var readable: Bool
        /// Where in Personio to tick it, when it is not readable.
        public var remedy: String?
    }

    /// Whether Personio accepted the client id and secret.
    public var credentialsValid: Bool
    /// Why the check could not complete (wrong secret, unreachable, …).
    public var error: PersonioError?
    public var attributes: [AttributeCheck]
    /// Permissions from the token's scope; nil when Personio did not say.
    public var canWriteEmployees: Bool?
    public var canReadAbsences: Bool?
    public var canWriteAbsences: Bool?
    /// Employees Personio reports for this credential.
    public var employeeCount: Int?
    /// The v2 scopes the source needs (empty when it reads through v1 only).
    public var v2Scopes: [ScopeCheck] = []

    /// One v2 scope: whether the credential's v2 token carries it, and where to grant it.
    public struct ScopeCheck: Sendable, Equatable {
        public var scope: String
        /// What Rollcall uses it for.
        public var purpose: String
        public var required: Bool
        public var granted: Bool
        public var remedy: String?
    }

    /// Connected: the credential works, every required attribute is readable and every required v2 scope granted.
    public var isConnected: Bool {
        credentialsValid && error == nil && missingRequired.isEmpty && !v2Scopes.contains { $0.required && !$0.granted }
    }
    public var missingRequired: [AttributeCheck] { attributes.filter { $0.required && !$0.readable } }
}

extension PersonioClient {
    /// The attributes this credential may read.
    public func attributes() async throws(PersonioError) -> [PersonioAttribute] {
        let body = try await send("GET", "/company/employees/attributes")
        guard let items = (try? JSONValue.parse(Data(body)))?["data"]?.array else {
            throw .malformedResponse(reason: "the attribute list has no data array")
        }
        return items.compactMap { item in
            guard let key = item["key"]?.string else { return nil }
            return PersonioAttribute(key: key, label: item["label"]?.string ?? key, type: item["type"]?.string ?? "standard",
                                     universalId: item["universal_id"]?.string,
                                     options: item["options"]?.array?.compactMap { EmployeeDecoder.text($0) } ?? [])
        }
    }

    /// Authenticates, reads the readable attributes and one page, and reports what works and
    /// what to fix. Never throws: failures are part of the report.
    public func diagnose(required: [String], optional: [String] = []) async -> PersonioDiagnosis {
        var report = PersonioDiagnosis(credentialsValid: false, error: nil, attributes: [])
        let scope: String?
        do {
            scope = try await self.scope()
            report.credentialsValid = true
        } catch {
            report.error = error
            if case .invalidCredentials = error { report.credentialsValid = false }
            report.attributes = (required.map { ($0, true) } + optional.map { ($0, false) }).map { key, isRequired in
                .init(key: key, label: Self.label(of: key, in: []), required: isRequired, readable: false, remedy: nil)
            }
            return report
        }
        if let scope {
            let granted = Set(scope.split(separator: " ").map(String.init))
            report.canWriteEmployees = granted.contains("employees:write")
            report.canReadAbsences = granted.contains("absences:read")
            report.canWriteAbsences = granted.contains("absences:write")
        }
        do {
            let readable = try await attributes()
            let keys = Set(readable.map(\.key)).union(["id"])
            report.attributes = (required.map { ($0, true) } + optional.map { ($0, false) }).map { key, isRequired in
                let label = Self.label(of: key, in: readable)
                let isReadable = keys.contains(key)
                return .init(key: key, label: label, required: isRequired, readable: isReadable,
                             remedy: isReadable ? nil : Self.remedy(forMissing: label))
            }
            let page = try await employeePage(offset: 0, attributes: ["id"], updatedSince: nil)
            report.employeeCount = page.totalElements
        } catch {
            report.error = error
        }
        if configuration.apiVersion != .v1 { report.v2Scopes = await v2ScopeChecks() }
        return report
    }

    /// The v2 scopes Rollcall uses, checked against a v2 token of this credential.
    func v2ScopeChecks() async -> [PersonioDiagnosis.ScopeCheck] {
        let wanted: [(String, String, String, Bool)] = [
            ("personio:persons:read", "reading people", "Persons: read", true),
            ("personio:employments:read", "reading positions, dates, supervisors and org units", "Employments: read", true),
            ("personio:absences:read", "reading absences", "Absences: read", false),
            ("personio:webhooks:read", "seeing webhook subscriptions", "Webhooks: read", false),
            ("personio:webhooks:write", "subscribing to changes (webhooks)", "Webhooks: write", false),
        ]
        let granted: Set<String>
        var failure: String?
        do {
            granted = Set((try await v2Tokens.current().scope ?? "").split(separator: " ").map(String.init))
        } catch {
            granted = []
            failure = error.explanation
        }
        return wanted.map { scope, purpose, label, required in
            let has = granted.contains(scope)
            let remedy = has ? nil : (failure.map { "\($0) " } ?? "")
                + "In Personio, open Settings › Integrations › API credentials, edit this credential and grant ‘\(label)’ (\(scope))."
            return .init(scope: scope, purpose: purpose, required: required, granted: has, remedy: remedy)
        }
    }

    /// "In Personio, open Settings › Integrations › API credentials, …"
    public static func remedy(forMissing label: String) -> String {
        "In Personio, open Settings › Integrations › API credentials, edit this credential and tick ‘\(label)’ under Readable employee attributes."
    }

    static func label(of key: String, in readable: [PersonioAttribute]) -> String {
        readable.first { $0.key == key }?.label ?? PersonioStandardAttribute.named(key)?.label ?? key
    }
}
