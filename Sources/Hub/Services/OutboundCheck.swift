/// A URL a workspace gives (a source's, a SCIM app's, a webhook endpoint's) is checked against the
/// outbound policy before it is stored: refused, it is an error on the field that carries it.
enum OutboundCheck {
    static func check(_ url: String, _ purpose: OutboundPolicy.Purpose, field: String, with environment: HubEnvironment) async throws(ServiceError) {
        guard let outbound = environment.outbound else { return }
        do { try await outbound.check(url, purpose: purpose) } catch {
            throw ServiceError(.invalid, code: "destination_refused", message: error.description, field: field)
        }
    }
}
