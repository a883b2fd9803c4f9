import Fluent
import Foundation
import PersonioAPI
import Provisioning
import SyncEngine
import Vapor

/// A connection's mapping editor: which field of the app gets which Personio attribute (custom
/// ones by their label), with transforms; rows added, renamed and removed; a preview for a real
/// person before saving. Saving runs the API's own checks through `ConnectionService`.
extension DashboardRoutes {
    /// One row of the editor, as stored or as the admin typed it.
    struct MappingRow: Sendable {
        var field = ""
        /// An attribute key, `value` for fixed text, or `keep` for a field set through the API.
        var from = ""
        var value = ""
        var trim = false
        var lowercase = false
        var uppercase = false
        var dateFormat = ""
        var fallback = ""
        /// A field the editor cannot show (attributes joined, a value map): kept as it is, or removed.
        var kept: FieldMapping?

        init() {}

        init(_ mapping: FieldMapping) {
            field = mapping.target
            let advanced = mapping.transforms.contains { if case .valueMap = $0 { true } else { false } }
            switch mapping.source {
            case .attribute(let key) where !advanced: from = key
            case .constant(let text) where !advanced:
                from = "value"
                value = text
            default:
                from = "keep"
                kept = mapping
            }
            for transform in mapping.transforms {
                switch transform {
                case .trim: trim = true
                case .lowercase: lowercase = true
                case .uppercase: uppercase = true
                case .dateFormat(let pattern): dateFormat = pattern
                case .defaultValue(let text): fallback = text
                case .valueMap: break
                }
            }
        }

        /// The row as the API takes it; nil for an empty row.
        func json() -> JSONValue? {
            let name = field.trimmingCharacters(in: .whitespaces)
            if let kept {
                guard case .array(let items) = MappingInput.json(Mapping([kept])), case .object(var object)? = items.first else { return nil }
                object["field"] = .string(name)
                return .object(object)
            }
            guard !name.isEmpty || !from.isEmpty else { return nil }
            var object: [String: JSONValue] = ["field": .string(name)]
            if from == "value" { object["value"] = .string(value) } else if !from.isEmpty { object["from"] = .string(from) }
            var transforms: [Transform] = []
            if trim { transforms.append(.trim) }
            if lowercase { transforms.append(.lowercase) }
            if uppercase { transforms.append(.uppercase) }
            if !dateFormat.trimmingCharacters(in: .whitespaces).isEmpty { transforms.append(.dateFormat(dateFormat)) }
            if !fallback.isEmpty { transforms.append(.defaultValue(fallback)) }
            if !transforms.isEmpty { object["transforms"] = .array(transforms.map(MappingInput.json)) }
            return .object(object)
        }
    }

    /// The editor's page: rows, the attributes to choose from, an error at its row, a preview.
    struct MappingPage {
        static let blankRows = 3

        var user: DashboardUser
        var model: ConnectionModel
        var rows: [MappingRow]
        /// Attribute keys and their labels, as the credential reads them.
        var attributes: [(key: String, label: String)]
        var attributesError: String?
        var error: APIError?
        var preview: ConnectionService.MappingPreview?
        var personioID: String = ""
        var scimFields: [String]?

        /// The row an error names (`mapping[2].from` → the row that gave the third field; blank rows give none).
        var errorRow: Int? {
            DashboardRoutes.formRow(naming: error?.field, list: "mapping", filled: rows.indices.filter { rows[$0].json() != nil })
        }

        func render() throws -> HTML {
            let id = try model.requireID()
            let errorText: HTML = error.map { error in
                let place = errorRow.map { "Row \($0 + 1): " } ?? ""
                return HTML("<p class=\"notice error\" role=\"alert\" id=\"mapping-error\">\(place)\(error.message)</p>")
            } ?? .empty
            return """
            <p>Which field of the app gets which Personio attribute. Custom attributes (Phone, Contract type, …) are listed by \
            their label. Saving re-sends the people it changes with the next run, which reads everyone.</p>
            \(scimFields.map { HTML("<p class=\"muted\">A SCIM app takes \($0.joined(separator: ", ")); other fields are not sent to ")
                               + HTML("it.</p>") } ?? .empty)
            \(attributesError.map { HTML("<p class=\"notice error\" role=\"alert\">\($0)</p>") } ?? .empty)
            \(errorText)
            <form method="post" action="\(DashboardPath.connectionMapping(id))">\(Layout.csrf(user))
            <input type="hidden" name="rows" value="\(rows.count)">
            <div class="table"><table id="mapping"><thead><tr><th scope="col">Field in the app</th><th scope="col">From Personio</th>\
            <th scope="col">Fixed text</th><th scope="col">Transforms</th><th scope="col">Date format</th><th scope="col">If empty</th>\
            <th scope="col">Remove</th></tr></thead><tbody>
            \(rows.enumerated().html { index, row in self.row(index, row) })
            </tbody></table></div>
            <fieldset><legend>Preview</legend>
            \(Layout.field("Personio id of the person to preview", name: "personio_id", value: personioID, type: "number",
                           error: error?.field == "personio_id" ? error?.message : nil, help: "Empty: the first person of the connection."))
            <button class="secondary" formaction="\(DashboardPath.connectionMappingPreview(id))">Preview</button>
            \(preview.map(previewTable) ?? .empty)
            </fieldset>
            <button>Save mapping</button> <a href="\(DashboardPath.connection(id))">Cancel</a></form>
            """
        }

        private func row(_ index: Int, _ row: MappingRow) -> HTML {
            let name = "row\(index)_"
            let invalid = errorRow == index
            let options: [(value: String, title: String)] = row.kept != nil ? [("keep", "Set through the API")]
                : [("", "Choose…"), ("value", "Fixed text")] + attributes.map { ($0.key, "\($0.label) (\($0.key))") }
                    + (row.from.isEmpty || row.from == "value" || attributes.contains { $0.key == row.from } ? []
                        : [(row.from, "\(row.from) (not shared now)")])
            func box(_ key: String, _ title: String, _ on: Bool) -> HTML {
                "<label><input type=\"checkbox\" name=\"\(name)\(key)\" value=\"on\"\(on ? HTML(" checked") : .empty)> \(title)</label> "
            }
            let summary: HTML = row.kept.map { kept in
                let from = kept.source.attributes.joined(separator: " + ")
                return HTML("<small class=\"muted\">\(from.isEmpty ? "fixed text" : from), with a value map: change it through the API</small>")
            } ?? .empty
            return """
            <tr\(invalid ? HTML(" class=\"invalid\"") : .empty)>\
            <td><label class="visually-hidden" for="\(name)field">Field \(index + 1)</label>\
            <input id="\(name)field" name="\(name)field" type="text" value="\(row.field)"\
            \(invalid ? HTML(" aria-invalid=\"true\" aria-describedby=\"mapping-error\"") : .empty)></td>\
            <td><label class="visually-hidden" for="\(name)from">From, row \(index + 1)</label><select id="\(name)from" name="\(name)from">\
            \(options.html { HTML("<option value=\"\($0.value)\"\($0.value == row.from ? HTML(" selected") : .empty)>\($0.title)</option>") })\
            </select>\(summary)\(row.kept.map { HTML("<input type=\"hidden\" name=\"\(name)kept\" value=\"\($0.target)\">") } ?? .empty)</td>\
            <td><label class="visually-hidden" for="\(name)value">Fixed text, row \(index + 1)</label>\
            <input id="\(name)value" name="\(name)value" type="text" value="\(row.value)"></td>\
            <td>\(box("trim", "trim", row.trim))\(box("lowercase", "lower-case", row.lowercase))\(box("uppercase", "upper-case", row.uppercase))</td>\
            <td><label class="visually-hidden" for="\(name)date">Date format, row \(index + 1)</label>\
            <input id="\(name)date" name="\(name)date" type="text" value="\(row.dateFormat)" placeholder="dd.MM.yyyy"></td>\
            <td><label class="visually-hidden" for="\(name)default">If empty, row \(index + 1)</label>\
            <input id="\(name)default" name="\(name)default" type="text" value="\(row.fallback)"></td>\
            <td>\(row.field.isEmpty && row.kept == nil ? .empty : box("remove", "remove", false))</td></tr>
            """
        }

        private func previewTable(_ preview: ConnectionService.MappingPreview) -> HTML {
            let names = Set(preview.fields.keys).union(preview.current.keys).sorted()
            let rows = names.html { name in previewRow(name, preview) }
            return """
            <h2 id="preview">\(preview.name) (Personio id \(preview.personioID))</h2>
            <div class="table"><table id="mapping-preview"><thead><tr><th scope="col">Field</th><th scope="col">Sent now</th>\
            <th scope="col">With this mapping</th></tr></thead><tbody>\(rows)</tbody></table></div>
            """
        }

        private func previewRow(_ name: String, _ preview: ConnectionService.MappingPreview) -> HTML {
            let value: HTML = preview.fields[name] != preview.current[name] ? "<strong>\(preview.fields[name] ?? "—")</strong>"
                : "\(preview.fields[name] ?? "—")"
            let note: HTML = preview.notSent.contains(name) ? " <small class=\"muted\">not sent to a SCIM app</small>" : .empty
            return "<tr><th scope=\"row\">\(name)</th><td>\(preview.current[name] ?? "—")</td><td>\(value)\(note)</td></tr>"
        }
    }

    func mappingPage(_ request: Request) async throws -> Response {
        let user = try request.require(.manage)
        let model = try await connection(request)
        let rows = try model.connectionRules().mapping.fields.map(MappingRow.init) + Array(repeating: MappingRow(), count: MappingPage.blankRows)
        return try await renderMapping(request, user: user, model: model, rows: rows)
    }

    func saveMapping(_ request: Request) async throws -> Response {
        let user = try request.require(.manage)
        let model = try await connection(request)
        let rows = try mappingRows(request, model: model)
        var input = ConnectionInput()
        input.mapping = .array(rows.compactMap { $0.json() })
        return try await save(request, model, input) { shown in
            try await renderMapping(request, user: user, model: model, rows: rows, error: shown, status: shown.status)
        }
    }

    /// Saves a connection's change through the API's own `update` and goes back to the connection, or
    /// shows `page` with the error at its field.
    func save(_ request: Request, _ model: ConnectionModel, _ input: ConnectionInput,
              orShow page: (APIError) async throws -> Response) async throws -> Response {
        do {
            let scope = try request.workspace
            try await connections(request).update(model, input, workspaceID: scope.workspaceID, actor: scope.actor)
            return Self.redirect(request, to: DashboardPath.connection(try model.requireID()), notice: .saved)
        } catch {
            guard let shown = APIError.shown(error) else { throw error }
            return try await page(shown)
        }
    }

    /// The row of an editor's form an error names (`mapping[2].from` → the row that gave the third entry;
    /// `filled`: the rows that gave one, in order — blank rows give none).
    static func formRow(naming field: String?, list: String, filled: [Int]) -> Int? {
        guard let field, field.hasPrefix(list + "["), let end = field.firstIndex(of: "]"),
              let position = Int(field[field.index(field.startIndex, offsetBy: list.count + 1)..<end]) else { return nil }
        return filled.indices.contains(position) ? filled[position] : nil
    }

    func previewMapping(_ request: Request) async throws -> Response {
        let user = try request.require(.manage)
        let model = try await connection(request)
        let rows = try mappingRows(request, model: model)
        let typed = (try? request.content.get(String.self, at: "personio_id"))?.trimmingCharacters(in: .whitespaces) ?? ""
        do {
            guard typed.isEmpty || Int(typed) != nil else { throw APIError.invalid("personio_id", "A Personio id is a whole number.") }
            let preview = try await connections(request).previewMapping(model, json: .array(rows.compactMap { $0.json() }), personioID: Int(typed))
            return try await renderMapping(request, user: user, model: model, rows: rows, preview: preview, personioID: typed)
        } catch {
            guard let shown = APIError.shown(error) else { throw error }
            return try await renderMapping(request, user: user, model: model, rows: rows, error: shown, personioID: typed, status: shown.status)
        }
    }

    /// The rows as posted; a row set through the API is taken from the stored mapping.
    private func mappingRows(_ request: Request, model: ConnectionModel) throws -> [MappingRow] {
        let form = try request.content.decode([String: String].self)
        let stored = try model.connectionRules().mapping.fields
        let count = min(Int(form["rows"] ?? "") ?? 0, MappingInput.maximumFields + MappingPage.blankRows)
        return (0..<count).compactMap { index in
            let name = "row\(index)_"
            guard form[name + "remove"] == nil else { return nil }
            var row = MappingRow()
            row.field = form[name + "field"] ?? ""
            row.from = form[name + "from"] ?? ""
            if row.from == "keep" {
                guard let kept = stored.first(where: { $0.target == form[name + "kept"] }) else { return nil }
                row.kept = kept
            }
            row.value = form[name + "value"] ?? ""
            row.trim = form[name + "trim"] != nil
            row.lowercase = form[name + "lowercase"] != nil
            row.uppercase = form[name + "uppercase"] != nil
            row.dateFormat = form[name + "date"] ?? ""
            row.fallback = form[name + "default"] ?? ""
            return row
        }
    }

    private func renderMapping(_ request: Request, user: DashboardUser, model: ConnectionModel, rows: [MappingRow], error: APIError? = nil,
                               preview: ConnectionService.MappingPreview? = nil, personioID: String = "",
                               status: HTTPResponseStatus = .ok) async throws -> Response {
        var page = MappingPage(user: user, model: model, rows: rows, attributes: [], error: error, preview: preview, personioID: personioID)
        do {
            page.attributes = Self.choices(try await connections(request).readableAttributes(ofSource: model.$source.id))
        } catch {
            page.attributesError = "Personio's attributes could not be read, so only the mapped ones are listed: "
                + (APIError.shown(error)?.message ?? "\(error)")
            page.attributes = rows.map(\.from).filter { !$0.isEmpty && $0 != "value" && $0 != "keep" }.map { ($0, $0) }
        }
        if let settings = try model.scimSettings() { page.scimFields = (SCIMTarget.mappableFields + [settings.userNameField]).uniqued() }
        let body = try page.render()
        return Layout.response(Layout.page(title: "Mapping · \(model.name)", user: user, body), status: status)
    }

    /// The attributes to map from: each readable one by its label, and the parts of the org units and
    /// the supervisor a mapping may name.
    static func choices(_ readable: [PersonioAttribute]) -> [(key: String, label: String)] {
        var list = readable.map { (key: $0.key, label: $0.label) }
        let keys = Set(readable.map(\.key))
        let parts: [(String, String, String)] = [
            ("supervisor", "supervisor.email", "Supervisor's e-mail"), ("supervisor", "supervisor.name", "Supervisor's name"),
            ("department", "department.id", "Department id"), ("office", "office.id", "Office id"), ("team", "team.id", "Team id"),
            ("subcompany", "subcompany.id", "Subcompany id"),
        ]
        for (base, key, label) in parts where keys.contains(base) { list.append((key, label)) }
        list.append(("id", "Personio id"))
        return list.sorted { $0.label.localizedCaseInsensitiveCompare($1.label) == .orderedAscending }
    }
}

private extension Array where Element == String {
    func uniqued() -> [String] {
        var seen = Set<String>()
        return filter { seen.insert($0).inserted }
    }
}
