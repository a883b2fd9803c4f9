import Foundation
import SyncEngine

/// Applies the engine's operations to a SCIM 2.0 app's Users.
///
/// Creates correlate first (by `externalId` = Personio id, then `userName`, then e-mail) and link
/// an existing user instead of making a second one; a 409 on create does the same. That is also
/// what makes a run that died between the app's write and Rollcall's bookkeeping safe to repeat.
public final class SCIMTarget: Sendable {
    public let client: SCIMClient
    public let provider: SCIMServiceProvider
    let managers = ManagerCache()
    let directory = UserDirectory()

    public static let userSchema = "urn:ietf:params:scim:schemas:core:2.0:User"
    public static let enterpriseSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    public static let patchSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp"

    public init(client: SCIMClient, provider: SCIMServiceProvider) {
        self.client = client
        self.provider = provider
    }

    /// Discovers the provider and returns a target for it.
    public static func connect(_ client: SCIMClient) async throws(TargetFailure) -> SCIMTarget {
        SCIMTarget(client: client, provider: try await client.discover())
    }

    var configuration: SCIMConfiguration { client.configuration }
    var compatibility: SCIMCompatibility { client.configuration.compatibility }

    /// Changes go as PATCH when the app announces it, unless the connection says PUT.
    public var updatesWithPatch: Bool { compatibility.updateMethod.map { $0 == .patch } ?? provider.patch }
    /// Users are searched with filters when the app announces and honours them, unless the connection says not to.
    public var searches: Bool { compatibility.filter ?? provider.filter }

    /// Reads every user of the app once, page by page, so that correlating many new people (a first
    /// sync) needs no search per person. Returns how many users the app holds.
    @discardableResult
    public func loadDirectory(pageSize: Int? = nil) async throws(TargetFailure) -> Int {
        let pageSize = pageSize ?? compatibility.pageSize ?? SCIMCompatibility.defaultPageSize
        var users: [UserDirectory.Entry] = []
        var start = 1
        while true {
            let answer = try await client.send("GET", "/Users", query: [("startIndex", String(start)), ("count", String(pageSize))])
            guard answer.status == 200, let list = answer.decoded(SCIMListResponse<SCIMUser>.self), !list.isBareArray else {
                throw SCIMClient.failure(answer, doing: "listing the app's users")
            }
            let page = list.resources
            users += page.compactMap(UserDirectory.Entry.init)
            let total = list.totalResults ?? users.count
            guard !page.isEmpty, users.count < total else { break }
            start += page.count
        }
        await directory.load(users)
        return users.count
    }

    /// Applies one operation. `active` is the state the person has in the app afterwards.
    public func apply(_ operation: TargetOperation, active: Bool) async -> TargetOutcome {
        do {
            switch operation.kind {
            case .hold:
                return .applied(targetID: operation.targetID, note: nil)
            case .delete:
                return try await delete(operation)
            case .create:
                return try await createOrLink(operation, active: active)
            case .update, .activate, .archive, .restore:
                guard let id = operation.targetID else { return try await createOrLink(operation, active: active) }
                return try await replace(id, operation, active: active)
            }
        } catch {
            return .failed(error)
        }
    }

    // MARK: Operations

    private func delete(_ operation: TargetOperation) async throws(TargetFailure) -> TargetOutcome {
        var found = operation.targetID
        if found == nil { found = try await correlate(operation)?.id }
        guard let id = found else {
            return .applied(targetID: nil, note: "not in the app; nothing to delete")
        }
        guard configuration.deletes else {
            return try await replace(id, operation, active: false, note: "deactivated instead of deleted (the connection never deletes)")
        }
        let answer = try await client.send("DELETE", user(id))
        switch answer.status {
        case 200, 204: return .applied(targetID: nil, note: nil)
        case 404: return .applied(targetID: nil, note: "already gone from the app")
        default: throw SCIMClient.failure(answer, doing: "deleting user \(id)")
        }
    }

    private func createOrLink(_ operation: TargetOperation, active: Bool) async throws(TargetFailure) -> TargetOutcome {
        if let (id, by) = try await correlate(operation) {
            return try await replace(id, operation, active: active, note: "linked to the app's existing user (matched by \(by))")
        }
        let user = try await resource(for: operation, active: active)
        let answer = try await client.send("POST", "/Users", json: user)
        switch answer.status {
        case 200, 201:
            let answered = answer.decoded(SCIMUser.self)
            guard let id = answered?.id, !id.isEmpty else {
                throw TargetFailure(code: "bad_response", explanation: "The app accepted the user but its answer has no SCIM id; "
                                    + "Rollcall will find the user by externalId on the next run.", retryable: true)
            }
            try Self.check(answered, isUser: nil, of: operation, doing: "creating the user")
            if let owner = await directory.owner(of: id), owner != String(operation.personioID) {
                throw TargetFailure(code: "scim_wrong_user", explanation: "The app answered the create with its user \(id.excerpt(60)), which "
                                    + "belongs to Personio person \(owner.excerpt(20)); Rollcall did not link this person to it. The app's SCIM "
                                    + "answers the wrong user: report it to the app's vendor.", retryable: true)
            }
            await directory.add(id: id, externalId: String(operation.personioID), userName: user.userName,
                                email: operation.fields["email"])
            return .applied(targetID: id, note: nil)
        case let status where status == 409 || Self.isUniquenessFailure(answer):
            // Someone holds the userName or e-mail: link to them if they can be matched (searching the
            // app itself: the directory read at the start may be older than that user). Some apps say
            // so with a 500 from their database's unique constraint instead of a 409.
            if let (id, by) = try await correlate(operation, searching: true) {
                return try await replace(id, operation, active: active, note: "linked after a conflict on create (matched by \(by))")
            }
            throw SCIMClient.failure(answer, doing: "creating the user")
        default:
            throw SCIMClient.failure(answer, doing: "creating the user")
        }
    }

    /// An app's answer that is about another user than the one asked for (another SCIM id, or
    /// another person's externalId) fails the person: linking it would tie two people to one account.
    /// `answer`: the app's answer read as a user (nil when it had no JSON object).
    static func check(_ answer: SCIMUser?, isUser id: String?, of operation: TargetOperation, doing what: String) throws(TargetFailure) {
        guard let answered = answer else { return }
        if let id, let answered = answered.id, !answered.isEmpty, answered != id {
            throw TargetFailure(code: "scim_wrong_user", explanation: "The app answered \(what) with another user (\(answered.excerpt(60))); "
                                + "Rollcall did not take it as this person's. The app's SCIM answers the wrong user: report it to the app's vendor.",
                                retryable: true)
        }
        if let external = answered.externalId, !external.isEmpty, external != String(operation.personioID) {
            throw TargetFailure(code: "scim_wrong_user", explanation: "The app answered \(what) with a user whose externalId is "
                                + "\(external.excerpt(40)), not this person's (\(operation.personioID)); Rollcall did not link them. The app's "
                                + "SCIM answers the wrong user or does not keep externalId: report it to the app's vendor.", retryable: true)
        }
    }

    /// A 5xx whose text is a unique-constraint violation (an app that lets its database answer for it).
    static func isUniquenessFailure(_ answer: SCIMClient.Answer) -> Bool {
        guard (500...599).contains(answer.status) else { return false }
        let text = (answer.decoded(SCIMErrorBody.self)?.detail ?? answer.bodyText).lowercased()
        return ["unique constraint", "uniqueness", "duplicate key", "duplicate entry", "integrityerror",
                "already exists"].contains { text.contains($0) }
    }

    private func replace(_ id: String, _ operation: TargetOperation, active: Bool, note: String? = nil) async throws(TargetFailure) -> TargetOutcome {
        let user = try await resource(for: operation, active: active)
        let answer: SCIMClient.Answer
        if updatesWithPatch {
            var value = user
            value.schemas = nil
            answer = try await client.send("PATCH", self.user(id), json: SCIMPatchOp.replace(with: value))
        } else {
            answer = try await client.send("PUT", self.user(id), json: user)
        }
        switch answer.status {
        case 200, 204:
            try Self.check(answer.decoded(SCIMUser.self), isUser: id, of: operation, doing: "updating user \(id)")
            return .applied(targetID: id, note: note)
        case 404:
            // The user was removed in the app: make them again (or link whoever holds them now).
            var again = operation
            again.targetID = nil
            return try await createOrLink(again, active: active)
        default:
            var failure = SCIMClient.failure(answer, doing: "updating user \(id)")
            if updatesWithPatch, [400, 405, 500, 501].contains(answer.status) {
                // apps that announce PATCH and fail it are common; PUT is the way around
                failure.explanation += " If the app fails every change like this, set the connection's SCIM compatibility to "
                    + "“PUT instead of PATCH” (preset put_only)."
            }
            throw failure
        }
    }

    /// An existing user for the person, and what matched.
    func correlate(_ operation: TargetOperation, searching: Bool = false) async throws(TargetFailure) -> (id: String, by: String)? {
        if !searching, await directory.isLoaded {
            return await directory.match(personioID: operation.personioID, userName: userName(operation.fields),
                                         email: operation.fields["email"], order: correlation)
        }
        guard searches else { return nil }
        for way in correlation {
            let (attribute, value): (String, String?) = switch way {
            case .externalId: ("externalId", String(operation.personioID))
            case .userName: ("userName", userName(operation.fields))
            case .email: ("emails.value", operation.fields["email"])
            }
            guard let value, !value.isEmpty else { continue }
            if let user = try await client.findUser(where: attribute, equals: value), let id = user.id {
                // A user that belongs to another Personio person is not this one.
                if let external = user.externalId, !external.isEmpty, external != String(operation.personioID) { continue }
                return (id, attribute)
            }
        }
        return nil
    }

    // MARK: The user resource

    func userName(_ fields: [String: String]) -> String? {
        fields[configuration.userNameField] ?? fields["email"]
    }

    /// The mapped fields a SCIM user is made of (besides the one named for `userName`); others have
    /// no place in it.
    public static let mappableFields = ["first_name", "last_name", "email", "phone", "phone_number", "position", "job_title",
                                        "department", "subcompany", "organization", "supervisor_email"]

    /// The core User and enterprise extension for the mapped fields. Only known fields are sent.
    func resource(for operation: TargetOperation, active: Bool) async throws(TargetFailure) -> SCIMUser {
        let fields = operation.fields
        var user = SCIMUser()
        user.externalId = String(operation.personioID)
        user.userName = userName(fields) ?? "personio-\(operation.personioID)"
        user.active = SCIMUser.Active(active, asText: compatibility.booleansAsStrings == true)
        let display = [fields["first_name"], fields["last_name"]].compactMap { $0 }.joined(separator: " ")
        if fields["first_name"] != nil || fields["last_name"] != nil || !display.isEmpty {
            user.name = SCIMUser.Name(givenName: fields["first_name"], familyName: fields["last_name"], formatted: display.isEmpty ? nil : display)
        }
        if !display.isEmpty { user.displayName = display }
        let typed = compatibility.typedEmails ?? true
        if let email = fields["email"] {
            user.emails = [SCIMUser.MultiValued(value: email, type: typed ? "work" : nil, primary: typed ? true : nil)]
        }
        if let phone = fields["phone"] ?? fields["phone_number"] {
            user.phoneNumbers = [SCIMUser.MultiValued(value: phone, type: typed ? "work" : nil, primary: nil)]
        }
        user.title = fields["position"] ?? fields["job_title"]
        user.schemas = [Self.userSchema]
        if compatibility.enterpriseExtension ?? provider.takesEnterprise {
            var enterprise = SCIMUser.Enterprise(employeeNumber: String(operation.personioID), department: fields["department"],
                                                 organization: fields["subcompany"] ?? fields["organization"])
            if let boss = fields["supervisor_email"], provider.declared?.paths.contains(Self.enterpriseSchema + ":manager") ?? true,
               let managerID = try await manager(boss) {
                enterprise.manager = SCIMUser.Enterprise.Manager(value: managerID)
            }
            user.enterprise = enterprise
            user.schemas = [Self.userSchema, Self.enterpriseSchema]
        }
        // only what the app declares: a strict app refuses the whole user for one undeclared sub-attribute
        return provider.declared?.prune(user).user ?? user
    }

    /// What the app's `/Schemas` makes Rollcall leave out of every user (`emails.type`, …), for the
    /// connection to show; empty when the app declares everything or serves no schemas.
    public var omittedAttributes: [String] {
        guard let declared = provider.declared else { return provider.takesEnterprise ? [] : [Self.enterpriseSchema] }
        var user = SCIMUser()
        (user.userName, user.active, user.displayName, user.title) = ("", .boolean(true), "", "")
        user.name = SCIMUser.Name(givenName: "", familyName: "", formatted: "")
        user.emails = [SCIMUser.MultiValued(value: "", type: "work", primary: true)]
        user.phoneNumbers = [SCIMUser.MultiValued(value: "", type: "work", primary: nil)]
        user.enterprise = SCIMUser.Enterprise(employeeNumber: "", department: "", organization: "", manager: .init(value: ""))
        var omitted = declared.prune(user).omitted
        if !provider.takesEnterprise {
            omitted.removeAll { $0.hasPrefix(Self.enterpriseSchema) }
            omitted.append(Self.enterpriseSchema)
        }
        return omitted.sorted()
    }

    /// The order to send a batch in, as waves sent one after another (each wave concurrently): a
    /// person new to the app goes after a supervisor who is new in the same batch, so the
    /// supervisor's user exists and can be named as `manager` at once. Indexes into `operations`;
    /// a circle of supervisors goes together in the last wave.
    public static func waves(_ operations: [TargetOperation]) -> [[Int]] {
        var waiting = Array(operations.indices)
        var waves: [[Int]] = []
        while !waiting.isEmpty {
            let newcomers = Set(waiting.lazy.filter { operations[$0].targetID == nil }.compactMap { operations[$0].fields["email"]?.lowercased() })
            let ready = waiting.filter { index in
                guard let boss = operations[index].fields["supervisor_email"]?.lowercased(), operations[index].targetID == nil else { return true }
                return !newcomers.contains(boss) || boss == operations[index].fields["email"]?.lowercased()
            }
            if ready.isEmpty {
                waves.append(waiting)
                break
            }
            waves.append(ready)
            let sent = Set(ready)
            waiting.removeAll { sent.contains($0) }
        }
        return waves
    }

    /// The SCIM id of the supervisor, found by userName or e-mail (remembered for the run).
    func manager(_ email: String) async throws(TargetFailure) -> String? {
        if let known = await managers.id(for: email) { return known }
        if await directory.isLoaded { return await directory.id(forEmailOrUserName: email) }
        guard searches else { return nil }
        var found = try await client.findUser(where: "userName", equals: email)
        if found == nil { found = try await client.findUser(where: "emails.value", equals: email) }
        guard let id = found?.id else { return nil }
        await managers.remember(id, for: email)
        return id
    }

    /// One user's path.
    func user(_ id: String) -> String { "/Users/\(Self.escape(id))" }

    /// How an existing user is found, in order: never by an `externalId` the app declares read-only.
    var correlation: [SCIMConfiguration.Correlation] {
        provider.keepsExternalId ? configuration.correlation : configuration.correlation.filter { $0 != .externalId }
    }

    static func escape(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? id
    }
}

/// Supervisors' SCIM ids by e-mail.
actor ManagerCache {
    var ids: [String: String] = [:]
    func id(for email: String) -> String? { ids[email] }
    func remember(_ id: String, for email: String) { ids[email] = id }
}

/// The app's users as read by `loadDirectory`, plus those created since, indexed for correlation.
actor UserDirectory {
    private(set) var isLoaded = false
    private var byExternalId: [String: String] = [:]
    private var externalIdOf: [String: String] = [:]
    private var byUserName: [String: (id: String, externalId: String?)] = [:]
    private var byEmail: [String: (id: String, externalId: String?)] = [:]

    struct Entry: Sendable {
        var id: String
        var externalId: String?
        var userName: String?
        var emails: [String]

        init?(_ user: SCIMUser) {
            guard let id = user.id else { return nil }
            self.id = id
            externalId = user.externalId
            userName = user.userName
            emails = user.emailValues
        }
    }

    func load(_ users: [Entry]) {
        for user in users { add(id: user.id, externalId: user.externalId, userName: user.userName, emails: user.emails) }
        isLoaded = true
    }

    func add(id: String, externalId: String?, userName: String?, email: String?) {
        add(id: id, externalId: externalId, userName: userName, emails: email.map { [$0] } ?? [])
    }

    private func add(id: String, externalId: String?, userName: String?, emails: [String]) {
        let external = externalId.flatMap { $0.isEmpty ? nil : $0 }
        if let external {
            byExternalId[external] = id
            externalIdOf[id] = external
        }
        if let userName { byUserName[userName.lowercased()] = (id, external) }
        for email in emails { byEmail[email.lowercased()] = (id, external) }
    }

    /// The same rules as searching the app: a user that belongs to another Personio person is not a match.
    func match(personioID: Int, userName: String?, email: String?, order: [SCIMConfiguration.Correlation]) -> (id: String, by: String)? {
        let own = String(personioID)
        for way in order {
            switch way {
            case .externalId:
                if let id = byExternalId[own] { return (id, "externalId") }
            case .userName:
                if let userName, let user = byUserName[userName.lowercased()], user.externalId == nil || user.externalId == own {
                    return (user.id, "userName")
                }
            case .email:
                if let email, let user = byEmail[email.lowercased()], user.externalId == nil || user.externalId == own {
                    return (user.id, "emails.value")
                }
            }
        }
        return nil
    }

    /// The externalId of the app's user `id`, when it has one.
    func owner(of id: String) -> String? {
        externalIdOf[id]
    }

    func id(forEmailOrUserName value: String) -> String? {
        byUserName[value.lowercased()]?.id ?? byEmail[value.lowercased()]?.id
    }
}
