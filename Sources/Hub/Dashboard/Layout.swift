import Foundation
import Vapor

/// The shared page shell, form parts and the stylesheet.
enum Layout {
    /// A full page: navigation for the signed-in user, a heading, an optional notice, and `body`.
    static func page(title: String, user: DashboardUser?, notice: Notice? = nil, _ body: HTML) -> HTML {
        let navigation: HTML = user.map { user in
            """
            <nav aria-label="Main"><a class="brand" href="\(DashboardPath.connections)">Rollcall</a>
            <a href="\(DashboardPath.connections)">Connections</a><a href="\(DashboardPath.sources)">Sources</a>\
            <a href="\(DashboardPath.handoffs)">Hand-offs</a><a href="\(DashboardPath.absences)">Absences</a>\
            <a href="\(DashboardPath.audit)">Audit log</a>\
            \(user.may(.own) ? HTML("<a href=\"\(DashboardPath.users)\">Users</a>") : .empty)
            <form method="post" action="\(DashboardPath.signOut)" class="inline">\(csrf(user))<span class="who">\(user.name) · \
            \(user.role.rawValue)</span> <button class="link">Sign out</button></form></nav>
            """
        } ?? HTML(raw: "<nav aria-label=\"Main\"><span class=\"brand\">Rollcall</span></nav>")
        return """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(title) · Rollcall</title><link rel="stylesheet" href="\(DashboardPath.stylesheet)"></head>
        <body><header>\(navigation)</header><main id="main"><h1>\(title)</h1>\(notice.map(\.html) ?? .empty)\(body)</main></body></html>
        """
    }

    /// A message at the top of a page.
    struct Notice: Sendable {
        enum Kind: String, Sendable { case success, error, info }
        var kind: Kind
        var text: String

        var html: HTML { "<p class=\"notice \(kind.rawValue)\" role=\"\(kind == .error ? "alert" : "status")\">\(text)</p>" }
    }

    /// An HTML response with the dashboard's security headers (no caching, no framing, no inline script).
    static func response(_ html: HTML, status: HTTPResponseStatus = .ok) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .html
        headers.add(name: .cacheControl, value: "no-store")
        headers.add(name: "X-Frame-Options", value: "DENY")
        headers.add(name: "X-Content-Type-Options", value: "nosniff")
        headers.add(name: "Referrer-Policy", value: "same-origin")
        headers.add(name: "Content-Security-Policy", value: "default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'")
        return Response(status: status, headers: headers, body: .init(string: html.text))
    }

    static func errorPage(_ request: Request, status: HTTPResponseStatus, title: String, message: String) -> Response {
        let user = request.storage[DashboardUserKey.self]
        return response(page(title: title, user: user, """
            <p class="notice error" role="alert">\(message)</p><p><a href="\(DashboardPath.connections)">Back to the connections</a></p>
            """), status: status)
    }

    static func csrf(_ user: DashboardUser) -> HTML {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(user.csrfToken)\">"
    }

    /// A labelled input with its error message (announced and linked by `aria-describedby`).
    static func field(_ label: String, name: String, value: String? = nil, type: String = "text", error: String? = nil,
                      help: String? = nil, required: Bool = false, attributes: String = "") -> HTML {
        let describedBy = [error.map { _ in "\(name)-error" }, help.map { _ in "\(name)-help" }].compactMap { $0 }.joined(separator: " ")
        return """
        <div class="field\(error == nil ? "" : " invalid")"><label for="\(name)">\(label)\
        \(required ? HTML(" <span aria-hidden=\"true\">*</span>") : .empty)</label>
        <input id="\(name)" name="\(name)" type="\(type)" value="\(type == "password" ? "" : value ?? "")"\
        \(required ? HTML(" required") : .empty)\(describedBy.isEmpty ? .empty : HTML(" aria-describedby=\"\(describedBy)\""))\
        \(error == nil ? .empty : HTML(" aria-invalid=\"true\""))\(HTML(raw: attributes.isEmpty ? "" : " " + attributes))>
        \(help.map { HTML("<small id=\"\(name)-help\">\($0)</small>") } ?? .empty)\
        \(error.map { HTML("<p class=\"error\" id=\"\(name)-error\">\($0)</p>") } ?? .empty)</div>
        """
    }

    static func select(_ label: String, name: String, options: [(value: String, title: String)], selected: String?, error: String? = nil,
                       help: String? = nil) -> HTML {
        let describedBy = [error.map { _ in "\(name)-error" }, help.map { _ in "\(name)-help" }].compactMap { $0 }.joined(separator: " ")
        return """
        <div class="field\(error == nil ? "" : " invalid")"><label for="\(name)">\(label)</label><select id="\(name)" name="\(name)"\
        \(error == nil ? .empty : HTML(" aria-invalid=\"true\""))\(describedBy.isEmpty ? .empty : HTML(" aria-describedby=\"\(describedBy)\""))>\
        \(options.html { option in
            HTML("<option value=\"\(option.value)\"\(option.value == selected ? HTML(" selected") : .empty)>\(option.title)</option>")
        })\
        </select>\(help.map { HTML("<small id=\"\(name)-help\">\($0)</small>") } ?? .empty)\
        \(error.map { HTML("<p class=\"error\" id=\"\(name)-error\">\($0)</p>") } ?? .empty)</div>
        """
    }

    /// A one-button form (POST with the CSRF token).
    static func button(_ title: String, action: String, user: DashboardUser, style: String = "", fields: HTML = .empty) -> HTML {
        """
        <form method="post" action="\(action)" class="inline">\(csrf(user))\(fields)\
        <button\(style.isEmpty ? .empty : HTML(" class=\"\(style)\""))>\(title)</button></form>
        """
    }

    static func badge(_ text: String, _ tone: String) -> HTML { "<span class=\"badge \(tone)\">\(text)</span>" }

    /// "22 Nov 2026, 19:40" in the workspace's time zone. A format style, not a `DateFormatter` per
    /// call: making a formatter cost about 190 µs, which a page of 200 rows paid in every date cell.
    static func date(_ date: Date?, in timeZone: TimeZone) -> String {
        guard let date else { return "—" }
        return date.formatted(Date.VerbatimFormatStyle(
            format: """
                \(day: .defaultDigits) \(month: .abbreviated) \(year: .defaultDigits), \
                \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits)
                """,
            locale: Locale(identifier: "en_GB"), timeZone: timeZone, calendar: Calendar(identifier: .gregorian)))
    }

    static let stylesheet = """
    :root{--ink:#1b1f24;--muted:#57606a;--line:#d0d7de;--bg:#f6f8fa;--accent:#0b5cad;--ok:#116329;--warn:#7d4e00;--bad:#a40e26}
    *{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);background:#fff}
    header{background:var(--ink);color:#fff}header nav{display:flex;flex-wrap:wrap;gap:.25rem 1rem;align-items:center;padding:.6rem \
    1rem;max-width:72rem;margin:auto}
    header nav a{color:#fff}header nav .brand{font-weight:700;margin-right:1rem}header nav form{margin-left:auto}header nav .who{color:#d0d7de}
    main{max-width:72rem;margin:auto;padding:1rem}h1{font-size:1.6rem;margin:.5rem 0 1rem}h2{font-size:1.2rem;margin-top:2rem}
    a{color:var(--accent)}a:focus,button:focus,input:focus,select:focus,textarea:focus{outline:3px solid #f0b400;outline-offset:2px}
    table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid \
    var(--line);vertical-align:top}
    th{background:var(--bg);font-weight:600}.table{overflow-x:auto}
    .field{margin:0 0 1rem}.field label{display:block;font-weight:600}.field small{display:block;color:var(--muted)}
    input[type=text],input[type=email],input[type=password],input[type=url],input[type=date],input[type=search],input[type=number],\
    select,textarea{width:100%;max-width:32rem;padding:.45rem;border:1px solid #6e7781;border-radius:4px;font:inherit}
    .invalid input,.invalid select{border-color:var(--bad)}.error{color:var(--bad);margin:.25rem 0 0}
    button{font:inherit;padding:.4rem .9rem;border-radius:4px;border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer}
    button.secondary{background:#fff;color:var(--accent)}button.danger{background:var(--bad);border-color:var(--bad)}
    button.link{background:none;border:none;color:#fff;text-decoration:underline;padding:0}
    form.inline{display:inline-block;margin:0 .25rem .25rem 0}.actions{margin:1rem 0}
    .notice{padding:.6rem .8rem;border-radius:4px;border:1px solid var(--line);background:var(--bg)}
    .notice.success{border-color:var(--ok);color:var(--ok)}.notice.error{border-color:var(--bad);color:var(--bad)}
    .badge{display:inline-block;padding:0 .45rem;border-radius:1rem;font-size:.85rem;border:1px solid currentColor}
    .badge.ok{color:var(--ok)}.badge.warn{color:var(--warn)}.badge.bad{color:var(--bad)}.badge.muted{color:var(--muted)}
    ul.checklist{list-style:none;padding:0}ul.checklist li{margin:.3rem 0}
    .cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));gap:.75rem}.card{border:1px solid \
    var(--line);border-radius:6px;padding:.6rem}
    .card strong{display:block;font-size:1.3rem}.card>h2:first-child{margin-top:.2rem}.muted{color:var(--muted)}svg.chart{max-width:100%;height:auto}
    fieldset{border:1px solid var(--line);border-radius:6px;margin:0 0 1rem}
    figure.chart{margin:.5rem 0}figure.chart figcaption{font-size:.85rem}
    .visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
    table#mapping input[type=text]{min-width:7rem}table#mapping td label{white-space:nowrap}tr.invalid input{border-color:var(--bad)}
    @media (max-width:40rem){th,td{padding:.3rem}header nav form{margin-left:0}
    table.stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}table.stack tr{display:block;border-bottom:2px solid \
    var(--line);padding:.3rem 0}
    table.stack td{display:block;border:none;padding:.15rem 0}table.stack td[data-label]::before{content:attr(data-label) ": ";font-weight:600}}
    """
}
