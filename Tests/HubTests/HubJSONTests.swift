import Foundation
@testable import Hub
import Testing

/// The hub's one JSON coding: Swift names become the API's snake_case fields and back, and data
/// (dictionary keys) is never renamed.
@Suite("HubJSON")
struct HubJSONTests {
    @Test func swiftNamesBecomeTheAPIsFieldsAndBack() {
        let pairs = [("personioID", "personio_id"), ("baseURL", "base_url"), ("dryRun", "dry_run"), ("v2Scopes", "v2_scopes"),
                     ("timeOffTypeID", "time_off_type_id"), ("scheduleLagP95Seconds", "schedule_lag_p95_seconds"),
                     ("previousSecretValidUntil", "previous_secret_valid_until"), ("name", "name")]
        for (property, field) in pairs {
            #expect(HubJSON.fieldName(property) == field)
            #expect(HubJSON.propertyName(field) == property)
        }
        #expect(HubJSON.fieldName("personio_id") == "personio_id")
        #expect(HubJSON.propertyName("_private") == "_private")
    }

    struct Sample: Codable, Equatable {
        var personioID: Int
        var webURL: String?
        var fields: [String: String]
        var startedAt: Date
    }

    @Test func dictionaryKeysAreDataAndStayAsSent() throws {
        let sample = Sample(personioID: 7, webURL: nil, fields: ["employeeNumber": "1", "first_name": "Ada"],
                            startedAt: Date(timeIntervalSince1970: 1_800_000_000))
        let text = String(decoding: try HubJSON.encoder.encode(sample), as: UTF8.self)
        #expect(text == #"{"fields":{"employeeNumber":"1","first_name":"Ada"},"personio_id":7,"started_at":"2027-01-15T08:00:00Z"}"#)
        #expect(try HubJSON.decoder.decode(Sample.self, from: Data(text.utf8)) == sample)
    }

    @Test func aDecodingErrorNamesTheFieldAsSent() throws {
        let body = Data(#"{"fields":{},"started_at":"2027-01-15T08:00:00Z"}"#.utf8)
        do {
            _ = try HubJSON.decoder.decode(Sample.self, from: body)
            Issue.record("decoded without personio_id")
        } catch let error as DecodingError {
            #expect(APIErrorMiddleware.field(error) == "personio_id")
            #expect(APIErrorMiddleware.describe(error) == "personio_id is required")
        }
    }
}
