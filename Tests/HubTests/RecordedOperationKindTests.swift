@testable import Hub
@testable import SyncEngine
import Testing

@Suite("What a run records for a person, typed")
struct RecordedOperationKindTests {
    @Test func everyStoredTextReadsBackAsItWasWritten() {
        var texts = Operation.Kind.allCases.map(\.rawValue) + ["skip", "hold"]
        texts += Operation.Kind.allCases.map { "hold:\($0.rawValue)" }
        for text in texts {
            #expect(RecordedOperationKind(stored: text).stored == text)
        }
        #expect(RecordedOperationKind(stored: "archive") == .operation(.archive))
        #expect(RecordedOperationKind(stored: "hold:delete") == .held(.delete))
        #expect(RecordedOperationKind(stored: "skip") == .skip)
        // a newer version's text is kept, not lost
        #expect(RecordedOperationKind(stored: "merge") == .other("merge"))
        #expect(RecordedOperationKind(stored: "merge").stored == "merge")
    }

    @Test func aHeldOperationRecordsWhatItWouldHaveBeen() {
        let held = Operation(kind: .hold, personioID: 1, targetID: nil, reason: "held", resultingState: nil, fields: [:], changedFields: [],
                             held: .archive)
        #expect(RecordedOperationKind(held).stored == "hold:archive")
        var created = held
        created.kind = .create
        created.held = nil
        #expect(RecordedOperationKind(created) == .operation(.create))
    }
}
