/// Personio's error body: `{"success": false, "error": {"code": 0, "message": "…"}}`, sometimes
/// with `error_data` (field → messages) on validation failures.
public struct PersonioErrorEnvelope: Codable, Sendable, Equatable {
    public struct Body: Codable, Sendable, Equatable {
        public var code: Int
        public var message: String
        public var errorData: [String: [String]]?

        public init(code: Int, message: String, errorData: [String: [String]]? = nil) {
            self.code = code
            self.message = message
            self.errorData = errorData
        }

        enum CodingKeys: String, CodingKey {
            case code, message
            case errorData = "error_data"
        }
    }

    public var success: Bool
    public var error: Body

    public init(code: Int, message: String, errorData: [String: [String]]? = nil) {
        self.success = false
        self.error = Body(code: code, message: message, errorData: errorData)
    }
}
