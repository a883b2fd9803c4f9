import Vapor

/// A value an API or dashboard path takes (`APIPath`, `DashboardPath`); a handler reads it with
/// `request.parameters.get(.connection, as: UUID.self)`. The raw values are the names openapi.yaml gives them.
public enum RouteParameter: String, Sendable {
    case workspace, source, connection, run, batch, webhook, delivery, candidate
    case person = "personioId", absence = "external"
    /// The dashboard's: a held batch's decision, an invitation's token.
    case decision, token
}

extension Parameters {
    /// The value of a route parameter, converted; nil when absent or not convertible.
    func get<T: LosslessStringConvertible>(_ parameter: RouteParameter, as type: T.Type = T.self) -> T? {
        get(parameter.rawValue, as: type)
    }

    /// The text of a route parameter, as sent (decoded).
    func get(_ parameter: RouteParameter) -> String? {
        get(parameter.rawValue)
    }
}
