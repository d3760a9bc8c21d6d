import StreamrunCore

extension NexmarkGenerator {
    // The reference generator's proportions and ratios.
    static let personProportion: Int64 = 1
    static let auctionProportion: Int64 = 3
    static let bidProportion: Int64 = 46
    static let totalProportion: Int64 = 50
    static let hotAuctionRatio: UInt64 = 2
    static let hotBiddersRatio: UInt64 = 4
    static let hotChannelsRatio: UInt64 = 2
    static let hotIdSpacing: Int64 = 100
    static let inFlightAuctions: Int64 = 100
    static let activePeople: Int64 = 1000
    static let idLead: Int64 = 10
    static let firstId: Int64 = 1000
    static let channelCount = 10_000
    static let extraMinLength = 30
    static let extraSpread: UInt64 = 20

    /// Writes bid `n` into `builder` (columns in ``schema`` order) and ends the row.
    @inline(__always)
    func appendBid(
        _ n: Int64, _ channelBytes: UnsafeBufferPointer<UInt8>, _ urlBytes: UnsafeBufferPointer<UInt8>,
        into builder: inout BatchBuilder
    ) {
        precondition(n >= 0, "NexmarkGenerator: bid numbers start at 0")
        var random = CounterRandom(seed: seed, counter: UInt64(n))
        // Number the bid as the reference numbers events: per 50, 1 person, 3 auctions, 46 bids.
        let epoch = n / Self.bidProportion
        let newestAuction = epoch * Self.auctionProportion + Self.auctionProportion - 1
        let newestPerson = epoch * Self.personProportion

        var auction: Int64
        if random.below(Self.hotAuctionRatio) > 0 {
            auction = newestAuction / Self.hotIdSpacing * Self.hotIdSpacing
        } else {
            let low = max(newestAuction - Self.inFlightAuctions, 0)
            auction = low + Int64(random.below(UInt64(newestAuction - low + 1 + Self.idLead)))
        }
        auction += Self.firstId

        var bidder: Int64
        if random.below(Self.hotBiddersRatio) > 0 {
            bidder = newestPerson / Self.hotIdSpacing * Self.hotIdSpacing + 1
        } else {
            let people = newestPerson + 1
            let active = min(people, Self.activePeople)
            bidder = people - active + Int64(random.below(UInt64(active + Self.idLead)))
        }
        bidder += Self.firstId

        let price = Int64((PortableMath.pow10(random.unit() * 6) * 100).rounded())

        let channel: Int
        if random.below(Self.hotChannelsRatio) > 0 {
            channel = Int(random.below(UInt64(Self.hotChannels.count)))
        } else {
            channel = Self.hotChannels.count + Int(random.below(UInt64(Self.channelCount)))
        }

        builder.appendInt(0, auction)
        builder.appendInt(1, bidder)
        builder.appendInt(2, price)
        builder.appendString(3, channels.slice(channel, of: channelBytes))
        builder.appendString(4, urls.slice(channel, of: urlBytes))
        builder.appendInt(5, dateTime(n))

        let length = Self.extraMinLength + Int(random.below(Self.extraSpread))
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.extraMinLength + Int(Self.extraSpread)) { extra in
            Self.fillLetters(extra.baseAddress!, length, &random)
            builder.appendString(6, UnsafeBufferPointer(start: extra.baseAddress!, count: length))
        }
        builder.endRow()
    }

    /// Fills `p[0..<count]` with random lowercase letters, 12 per 64-bit draw (the base-26 digits of
    /// the draw as a fraction, as the reference's `nextExactString` takes 6 per 32-bit draw).
    @inline(__always)
    static func fillLetters(_ p: UnsafeMutablePointer<UInt8>, _ count: Int, _ random: inout CounterRandom) {
        var i = 0
        while i < count {
            var x = random.next()
            var k = 0
            while k < 12 && i < count {
                let (letter, rest) = x.multipliedFullWidth(by: 26)
                p[i] = UInt8(truncatingIfNeeded: letter) &+ UInt8(ascii: "a")
                x = rest
                i &+= 1
                k &+= 1
            }
        }
    }
}

/// Strings stored back to back: string `i` is `bytes[ends[i] ..< ends[i + 1]]`.
struct ByteStrings: Sendable {
    var bytes: [UInt8] = []
    var ends: [Int] = [0]

    mutating func append(_ s: [UInt8]) {
        bytes += s
        ends.append(bytes.count)
    }

    @inline(__always)
    func slice(_ i: Int, of buffer: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: buffer[ends[i]..<ends[i + 1]])
    }
}

extension NexmarkGenerator {
    /// Builds the channel names and their URLs; each channel's URL is a pure function of (seed, channel).
    static func channelTables(seed: UInt64) -> (ByteStrings, ByteStrings) {
        var names = ByteStrings()
        var urls = ByteStrings()
        names.bytes.reserveCapacity(channelCount * 13)
        urls.bytes.reserveCapacity(channelCount * 76)
        for c in 0..<(hotChannels.count + channelCount) {
            var random = CounterRandom(seed: seed ^ 0x6368_616E_6E65_6C73, counter: UInt64(c))
            var url = Array("https://www.nexmark.com/".utf8)
            for _ in 0..<3 {
                url += pathSegment(&random)
                url.append(UInt8(ascii: "/"))
            }
            url += Array("item.htm?query=1".utf8)
            if c < hotChannels.count {
                names.append(Array(hotChannels[c].utf8))
            } else {
                let number = c - hotChannels.count
                names.append(Array("channel-\(number)".utf8))
                // The reference adds the channel id to 9 in 10 channel URLs: Java's Math.abs(Integer.reverse(N)),
                // which leaves Int32.min (channel 1) negative.
                if random.below(10) > 0 {
                    let reversed = Int32(bitPattern: reverseBits(UInt32(number)))
                    let id = reversed == Int32.min ? Int64(reversed) : Int64(abs(reversed))
                    url += Array("&channel_id=\(id)".utf8)
                }
            }
            urls.append(url)
        }
        return (names, urls)
    }

    /// 3 or 4 characters, each `_` with probability 1/13, else a lowercase letter.
    static func pathSegment(_ random: inout CounterRandom) -> [UInt8] {
        let length = 3 + Int(random.below(2))
        return (0..<length).map { _ in
            random.below(13) == 0 ? UInt8(ascii: "_") : UInt8(ascii: "a") + UInt8(random.below(26))
        }
    }

    static func reverseBits(_ x: UInt32) -> UInt32 {
        var v = x
        var r: UInt32 = 0
        for _ in 0..<32 {
            r = r << 1 | v & 1
            v >>= 1
        }
        return r
    }
}
