import Foundation

/// The import: the drafts HR has not decided on (searched, a page at a time), to pick, give this
/// import's country of employment and approve or reject.
struct ImportPageView {
    var user: DashboardUser
    var connectionID: UUID
    var search: String?
    var page: Int
    var pageSize: Int
    var total: Int
    var drafts: [LinkModel]
    var form: DashboardRoutes.ImportForm
    var error: APIError?

    private func message(_ field: String) -> String? { error.flatMap { ($0.field ?? "").hasPrefix(field) ? $0.message : nil } }

    private func pageLink(_ number: Int, _ title: String) -> HTML {
        var items = [URLQueryItem(name: "page", value: String(number))]
        if let search { items.append(URLQueryItem(name: "q", value: search)) }
        var components = URLComponents()
        components.queryItems = items
        return HTML("<a href=\"\(DashboardPath.importPeople(connectionID))\(components.percentEncodedQuery.map { "?" + $0 } ?? "")\">\(title)</a>")
    }

    private var draftList: HTML {
        let chosen = Set(form.chosen ?? [])
        return drafts.isEmpty ? HTML("<p>No drafts waiting.</p>") : drafts.html { draft in
            let fields = (try? draft.fields.map(StoredJSON.fields)) ?? nil
            let title = fields?["job_title"] ?? fields?["position"]
            let start = (fields?["contract_start"] ?? fields?["hire_date"]).map { "starts \($0)" }
            let detail = [fields?["email"], title, start].compactMap { $0 }.joined(separator: " · ")
            return HTML("<div><input type=\"checkbox\" id=\"p\(draft.personioID)\" name=\"personio_ids[]\" value=\"\(draft.personioID)\"")
                       + HTML("\(chosen.contains(draft.personioID) ? HTML(" checked") : .empty)> <label for=\"p\(draft.personioID)\">")
                       + HTML("\(draft.displayName ?? "Personio #\(draft.personioID)") ")
                       + HTML("<small class=\"muted\">\(detail) · from Personio</small></label></div>")
        }
    }

    func render() -> HTML {
        let first = (page - 1) * pageSize
        let paging: HTML = total <= pageSize ? .empty : """
            <nav aria-label="Pages" class="filters" id="import-pages">Showing \(first + 1)–\(first + drafts.count) of \(total) \
            \(page > 1 ? pageLink(page - 1, "Previous") : .empty) \(first + drafts.count < total ? pageLink(page + 1, "Next") : .empty)</nav>
            """
        return """
        <p>People in Personio who are not provisioned yet wait here as drafts, marked as coming from Personio. Pick the ones to \
        import, set the country of employment for this import, and approve: the run that follows provisions them.</p>
        <form method="get" action="\(DashboardPath.importPeople(connectionID))" role="search"><label for="q">Search drafts</label> \
        <input id="q" name="q" type="search" value="\(search)"> <button class="secondary">Search</button></form>
        \(error.flatMap { message("personio_ids") == nil && message("country") == nil ? HTML("<p class=\"notice error\" ")
                                                                                        + HTML("role=\"alert\">\($0.message)</p>") : nil } ?? .empty)
        <form method="post" action="\(DashboardPath.importPeople(connectionID))">\(Layout.csrf(user))
        <fieldset><legend>Drafts from Personio (\(total))</legend>
        \(paging)
        \(message("personio_ids").map { HTML("<p class=\"error\" role=\"alert\">\($0)</p>") } ?? .empty)
        \(drafts.isEmpty ? .empty : HTML("""
            <div><input type="checkbox" id="all_shown" name="all_shown" value="on"\(form.allShown != nil ? HTML(" checked") : .empty)> \
            <label for="all_shown"><strong>Select all \(drafts.count) on this page</strong></label>\
            <input type="hidden" name="shown" value="\(drafts.map { String($0.personioID) }.joined(separator: ","))"></div>
            """))
        \(draftList)
        </fieldset>
        \(Layout.select("Country of employment (this import)", name: "country",
                        options: [(value: "", title: "Choose a country…")] + Countries.choices.map { (value: $0.code, title: $0.title) },
                        selected: form.country?.uppercased() ?? "", error: message("country")))
        <button name="decision" value="approve">Approve selected</button> <button name="decision" value="reject" class="secondary">Reject \
        selected</button></form>
        """
    }
}
