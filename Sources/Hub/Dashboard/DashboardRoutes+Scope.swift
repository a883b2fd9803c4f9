import Fluent
import Foundation
import PersonioAPI
import SyncEngine
import Vapor

/// A connection's scope editor: everyone, or rules on an attribute's values (department, office,
/// status, employment type, a custom attribute), with the number of people in scope counted live from
/// Personio before saving. Saving runs the API's own checks through `ConnectionService`.
extension DashboardRoutes {
    struct ScopeRow: Sendable {
        var attribute = ""
        var include = true
        var values = ""

        init() {}

        init(_ rule: Scope.Rule) {
            attribute = rule.attribute
            include = rule.include
            values = rule.values.sorted().joined(separator: ", ")
        }

        /// The row as the API takes it; nil for an empty row.
        func json() -> JSONValue? {
            let list = values.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !attribute.isEmpty || !list.isEmpty else { return nil }
            return .object(["attribute": .string(attribute), include ? "is" : "is_not": .array(list.map(JSONValue.string))])
        }
    }

    struct ScopePage {
        static let blankRows = 2

        var user: DashboardUser
        var model: ConnectionModel
        var rows: [ScopeRow]
        var attributes: [(key: String, label: String)]
        var attributesError: String?
        var count: ConnectionService.ScopeCount?
        var countError: String?
        var error: APIError?

        var errorRow: Int? {
            DashboardRoutes.formRow(naming: error?.field, list: "scope", filled: rows.indices.filter { rows[$0].json() != nil })
        }

        func render() throws -> HTML {
            let id = try model.requireID()
            let errorText: HTML = error.map { error in
                HTML("<p class=\"notice error\" role=\"alert\" id=\"scope-error\">\(errorRow.map { "Rule \($0 + 1): " } ?? "")\(error.message)</p>")
            } ?? .empty
            return """
            <p>Whom this connection is about. Empty: everyone Personio lists. Otherwise every rule must hold. Saving makes the next \
            run read everyone; people who leave the scope are removed as the connection removes people Personio no longer lists, \
            with the reason.</p>
            \(attributesError.map { HTML("<p class=\"notice error\" role=\"alert\">\($0)</p>") } ?? .empty)
            \(errorText)
            \(countSection)
            <form method="post" action="\(DashboardPath.connectionScope(id))">\(Layout.csrf(user))
            <input type="hidden" name="rules" value="\(rows.count)">
            <div class="table"><table id="scope"><thead><tr><th scope="col">Attribute</th><th scope="col">Rule</th>\
            <th scope="col">Values (separated by commas)</th><th scope="col">Remove</th></tr></thead><tbody>
            \(rows.enumerated().html { index, row in self.row(index, row) })
            </tbody></table></div>
            <button class="secondary" formaction="\(DashboardPath.connectionScopeCount(id))">Count people in scope</button>
            <button>Save scope</button> <a href="\(DashboardPath.connection(id))">Cancel</a></form>
            """
        }

        private var countSection: HTML {
            if let countError { return "<p class=\"notice error\" role=\"alert\" id=\"scope-count\">\(countError)</p>" }
            guard let count else { return .empty }
            let left: HTML = count.leftOut.isEmpty ? .empty : """
                <details><summary>Some of the people left out</summary><ul>\
                \(count.leftOut.html { "<li>\($0.name) (\($0.personioID)): \($0.reason)</li>" })</ul></details>
                """
            return """
            <section class="card" aria-labelledby="scope-count"><h2 id="scope-count">\(count.inScope) of \(count.listed) people in scope</h2>\
            <p class="muted">Counted just now from everyone Personio lists; the connection's policy still decides when each is sent \
            (start dates, leavers).</p>\(left)</section>
            """
        }

        private func row(_ index: Int, _ row: ScopeRow) -> HTML {
            let name = "rule\(index)_"
            let invalid = errorRow == index
            let options: [(value: String, title: String)] = [("", "Choose…")] + attributes.map { ($0.key, "\($0.label) (\($0.key))") }
                + (row.attribute.isEmpty || attributes.contains { $0.key == row.attribute } ? [] : [(row.attribute,
                                                                                                     "\(row.attribute) (not shared now)")])
            let rules: [(value: String, title: String)] = [("is", "is one of"), ("is_not", "is none of")]
            return """
            <tr\(invalid ? HTML(" class=\"invalid\"") : .empty)>\
            <td><label class="visually-hidden" for="\(name)attribute">Attribute, rule \(index + 1)</label><select id="\(name)attribute" name="\
            \(name)attribute">\
            \(options.html {
                HTML("<option value=\"\($0.value)\"\($0.value == row.attribute ? HTML(" selected") : .empty)>\($0.title)</option>")
            })</select></td>\
            <td><label class="visually-hidden" for="\(name)how">Rule \(index + 1)</label><select id="\(name)how" name="\(name)how">\
            \(rules.html {
                HTML("<option value=\"\($0.value)\"\(($0.value == "is") == row.include ? HTML(" selected") : .empty)>\($0.title)</option>")
            })</select></td>\
            <td><label class="visually-hidden" for="\(name)values">Values, rule \(index + 1)</label>\
            <input id="\(name)values" name="\(name)values" type="text" value="\(row.values)" placeholder="Sales, Support"\
            \(invalid ? HTML(" aria-invalid=\"true\" aria-describedby=\"scope-error\"") : .empty)></td>\
            <td>\(row.attribute.isEmpty ? .empty : HTML("<label><input type=\"checkbox\" name=\"\(name)remove\" value=\"on\"> ")
                                                   + HTML("remove</label>"))</td></tr>
            """
        }
    }

    func scopePage(_ request: Request) async throws -> Response {
        let user = try request.require(.manage)
        let model = try await connection(request)
        let rows = try model.connectionRules().scope.rules.map(ScopeRow.init) + Array(repeating: ScopeRow(), count: ScopePage.blankRows)
        return try await renderScope(request, user: user, model: model, rows: rows, count: true)
    }

    func saveScope(_ request: Request) async throws -> Response {
        let user = try request.require(.manage)
        let model = try await connection(request)
        let rows = try scopeRows(request)
        var input = ConnectionInput()
        input.scope = .array(rows.compactMap { $0.json() })
        return try await save(request, model, input) { shown in
            try await renderScope(request, user: user, model: model, rows: rows, error: shown, status: shown.status)
        }
    }

    func countScope(_ request: Request) async throws -> Response {
        let user = try request.require(.manage)
        let model = try await connection(request)
        return try await renderScope(request, user: user, model: model, rows: try scopeRows(request), count: true)
    }

    private func scopeRows(_ request: Request) throws -> [ScopeRow] {
        let form = try request.content.decode([String: String].self)
        let count = min(Int(form["rules"] ?? "") ?? 0, ScopeInput.maximumRules + ScopePage.blankRows)
        return (0..<count).compactMap { index in
            let name = "rule\(index)_"
            guard form[name + "remove"] == nil else { return nil }
            var row = ScopeRow()
            row.attribute = form[name + "attribute"] ?? ""
            row.include = form[name + "how"] != "is_not"
            row.values = form[name + "values"] ?? ""
            return row
        }
    }

    /// `count`: count the rows' scope live (shown above the rules; a mistake in them is shown instead).
    private func renderScope(_ request: Request, user: DashboardUser, model: ConnectionModel, rows: [ScopeRow], count: Bool = false,
                             error: APIError? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        var page = ScopePage(user: user, model: model, rows: rows, attributes: [], error: error)
        var status = status
        do {
            page.attributes = Self.choices(try await connections(request).readableAttributes(ofSource: model.$source.id))
                .filter { !$0.key.contains(".") || $0.key.hasSuffix(".id") }
        } catch {
            page.attributesError = "Personio's attributes could not be read: " + (APIError.shown(error)?.message ?? "\(error)")
            page.attributes = rows.map(\.attribute).filter { !$0.isEmpty }.map { ($0, $0) }
        }
        if count {
            do {
                page.count = try await connections(request).countScope(model, json: .array(rows.compactMap { $0.json() }))
            } catch {
                guard let shown = APIError.shown(error) else { throw error }
                if shown.field?.hasPrefix("scope") == true {
                    page.error = shown
                    status = shown.status
                } else {
                    page.countError = "The people could not be counted: \(shown.message)"
                }
            }
        }
        return Layout.response(Layout.page(title: "Scope · \(model.name)", user: user, try page.render()), status: status)
    }
}
