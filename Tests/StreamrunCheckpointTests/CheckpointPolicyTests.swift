import StreamrunCore
import Testing

@testable import StreamrunCheckpoint

@Suite struct CheckpointPolicyTests {
    static func info(_ id: CheckpointID, _ status: CheckpointInfo.Status) -> CheckpointInfo {
        CheckpointInfo(id: id, directory: "/c/" + CheckpointPaths.directoryName(id), status: status,
                       timestampMs: status.isComplete ? id.value : nil, sizeBytes: 0, fileCount: 0)
    }

    @Test func newestCompleteAndVerifiedWins() {
        let listing = [Self.info(3, .complete), Self.info(1, .complete), Self.info(2, .complete)]
        var asked: [CheckpointID] = []
        let choice = CheckpointPolicy.newestValid(listing) { asked.append($0); return [] }
        #expect(choice.id == 3)
        #expect(choice.warnings.isEmpty)
        #expect(asked == [3])  // older ones are not verified
    }

    @Test func corruptNewestIsSkippedWithAWarningNamingTheFile() {
        let listing = [Self.info(1, .complete), Self.info(2, .complete), Self.info(3, .complete)]
        var asked: [CheckpointID] = []
        let choice = CheckpointPolicy.newestValid(listing) { id in
            asked.append(id)
            return id == 3 ? ["/c/chk-000003/op-w-00001.state.lz4: checksum mismatch"] : []
        }
        #expect(choice.id == 2)
        #expect(asked == [3, 2])
        #expect(choice.warnings.count == 1)
        #expect(choice.warnings[0].contains("checkpoint 3 skipped"))
        #expect(choice.warnings[0].contains("op-w-00001.state.lz4: checksum mismatch"))
    }

    @Test func incompleteAndCorruptListingsAreSkipped() {
        let listing = [Self.info(1, .complete), Self.info(2, .corrupt("/c/chk-000002/_manifest.json: manifest checksum mismatch")),
                       Self.info(3, .incomplete)]
        let choice = CheckpointPolicy.newestValid(listing) { _ in [] }
        #expect(choice.id == 1)
        #expect(choice.warnings.count == 2)
        #expect(choice.warnings[0].contains("incomplete"))
        #expect(choice.warnings[1].contains("_manifest.json: manifest checksum mismatch"))
    }

    @Test func nothingValidMeansStartFresh() {
        #expect(CheckpointPolicy.newestValid([]) { _ in [] }.id == nil)
        let choice = CheckpointPolicy.newestValid([Self.info(1, .complete), Self.info(2, .incomplete)]) { _ in ["bad"] }
        #expect(choice.id == nil)
        #expect(choice.warnings.count == 2)
    }

    @Test func retentionKeepsTheNewestNComplete() {
        let listing: [CheckpointInfo] = [
            Self.info(1, .complete), Self.info(2, .incomplete), Self.info(3, .complete), Self.info(4, .corrupt("x")),
            Self.info(5, .complete), Self.info(6, .complete), Self.info(7, .incomplete), Self.info(8, .incomplete),
        ]
        #expect(CheckpointPolicy.toDelete(listing, keep: 2) == [1, 2, 3, 4])
        #expect(CheckpointPolicy.toDelete(listing, keep: 3) == [1, 2, 4])
        #expect(CheckpointPolicy.toDelete(listing, keep: 10) == [2, 4])
        #expect(CheckpointPolicy.toDelete(listing, keep: 1) == [1, 2, 3, 4, 5])
        #expect(CheckpointPolicy.toDelete(listing, keep: 0) == [1, 2, 3, 4, 5])  // the newest complete one always stays
        #expect(CheckpointPolicy.toDelete(listing.shuffled(), keep: 2) == [1, 2, 3, 4])
    }

    @Test func retentionWithoutACompleteCheckpointDeletesNothing() {
        #expect(CheckpointPolicy.toDelete([Self.info(1, .incomplete), Self.info(2, .corrupt("x"))], keep: 1) == [])
        #expect(CheckpointPolicy.toDelete([], keep: 3) == [])
    }
}
