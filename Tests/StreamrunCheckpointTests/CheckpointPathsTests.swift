import StreamrunCore
import Testing

@testable import StreamrunCheckpoint

@Suite struct CheckpointPathsTests {
    @Test func names() {
        let p = CheckpointPaths(root: "/data/ckpt/")
        #expect(p.root == "/data/ckpt")
        #expect(p.directory(17) == "/data/ckpt/chk-000017")
        #expect(p.manifest(17) == "/data/ckpt/chk-000017/_manifest.json")
        #expect(p.stateFile(checkpoint: 17, operator: "hot-items", subtask: 3) == "/data/ckpt/chk-000017/op-hot-items-00003.state.lz4")
        #expect(p.inProgress(p.manifest(17)) == "/data/ckpt/chk-000017/._manifest.json.inprogress")
        #expect(CheckpointPaths.directoryName(0) == "chk-000000")
        #expect(CheckpointPaths.directoryName(1_234_567) == "chk-1234567")
        #expect(CheckpointPaths.stateFileName(operator: "w", subtask: 123_456) == "op-w-123456.state.lz4")
    }

    @Test func parsingDirectoryNames() {
        for id: CheckpointID in [0, 1, 17, 999_999, 1_000_000, 12_345_678_901] {
            #expect(CheckpointPaths.checkpointID(directoryName: CheckpointPaths.directoryName(id)) == id)
        }
        for bad in ["chk-17", "chk-0000017", "chk-00001a", "chk-+00017", "chk--00017", ".chk-000017", "chk-000017.tmp", "xyz", "chk-"] {
            #expect(CheckpointPaths.checkpointID(directoryName: bad) == nil, "\(bad)")
        }
    }

    @Test func operatorIDs() {
        for ok in ["a", "bids", "hot-items", "window_2", "A9", String(repeating: "x", count: 128)] {
            #expect(CheckpointPaths.isValidOperatorID(ok), "\(ok)")
        }
        for bad in ["", "a/b", "..", ".x", "a b", "é", "a.b", String(repeating: "x", count: 129), "@", "[", "`", "{"] {
            #expect(!CheckpointPaths.isValidOperatorID(bad), "\(bad)")
        }
    }
}
