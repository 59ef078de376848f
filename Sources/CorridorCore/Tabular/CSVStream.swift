import Foundation

/// A CSV reader over bytes that arrive in chunks, for files too large to hold in memory:
/// RFC 4180 quoting, `;` or `,` detected from the header line, CR, LF or CRLF line ends, a
/// UTF-8 byte-order mark skipped, and each field decoded as UTF-8 or, when it is not valid
/// UTF-8, as Windows-1252 (what French spreadsheet software saves).
///
/// It keeps at most one chunk plus the record being read, so memory does not grow with the
/// file. `CSVRows` (CSV.swift) reads the small files; this one reads case files of any size
/// (see `Benchmarks/` for the two side by side).
public struct CSVStream {
    /// Gives the next bytes of the source, or an empty array at the end.
    public typealias Source = () throws -> [UInt8]

    private let source: Source
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    private var scratch: [UInt8] = []
    /// Bytes of the input already dropped from the buffer.
    private var consumed = 0
    /// Where the next record starts, in bytes from the start of the input.
    public var offset: Int { consumed + position }
    public private(set) var delimiter: UInt8 = UInt8(ascii: ",")
    /// Whether the input ended inside a quoted field.
    public private(set) var failed = false
    /// The longest record read, in bytes (16 MiB: far beyond any honest row); a longer one is
    /// refused rather than held in memory.
    public let maximumRecordBytes: Int

    /// A record longer than `maximumRecordBytes`.
    public struct RecordTooLong: Error, Equatable {
        public var limit: Int
    }

    public static let defaultMaximumRecordBytes = 16 << 20

    public init(source: @escaping Source, maximumRecordBytes: Int = CSVStream.defaultMaximumRecordBytes) throws {
        self.source = source
        self.maximumRecordBytes = maximumRecordBytes
        while buffer.count < 3, !atEnd { try fill() }
        if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
        // The delimiter is decided on the header line, read whole first. The line's length is
        // counted from `position`, which a refill moves.
        var length = 0
        while true {
            while position + length < buffer.count, buffer[position + length] != UInt8(ascii: "\n"), buffer[position + length] != UInt8(ascii: "\r") {
                length += 1
            }
            if position + length < buffer.count || atEnd { break }
            if length > maximumRecordBytes { throw RecordTooLong(limit: maximumRecordBytes) }
            try fill()
        }
        var semicolons = 0, commas = 0
        for byte in buffer[position..<(position + length)] {
            if byte == UInt8(ascii: ";") { semicolons += 1 } else if byte == UInt8(ascii: ",") { commas += 1 }
        }
        delimiter = semicolons > commas ? UInt8(ascii: ";") : UInt8(ascii: ",")
    }

    /// Reads a file a megabyte at a time.
    public init(fileAt path: String, chunkSize: Int = 1 << 20) throws {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        try self.init(source: {
            guard let data = try handle.read(upToCount: chunkSize) else { return [] }
            return [UInt8](data)
        })
    }

    /// Reads bytes already in memory (an upload).
    public init(data: Data) throws {
        var remaining: Data? = data
        try self.init(source: {
            defer { remaining = nil }
            return remaining.map { [UInt8]($0) } ?? []
        })
    }

    /// Appends the next chunk, dropping what has been read.
    private mutating func fill() throws {
        if atEnd { return }
        let chunk = try source()
        if chunk.isEmpty { atEnd = true; return }
        if position > 0 {
            buffer.removeFirst(position)
            consumed += position
            position = 0
        }
        buffer.append(contentsOf: chunk)
    }

    /// The next record's fields, or nil at the end of the input.
    public mutating func next() throws -> [String]? {
        while true {
            let start = position
            if let record = parseRecord() {
                if position - start > maximumRecordBytes { throw RecordTooLong(limit: maximumRecordBytes) }
                return record
            }
            if atEnd { return finishAtEnd() }
            // A record longer than what is buffered is parsed again from its start once the
            // buffer holds at least twice as much: reading stays linear however long it is.
            let unread = buffer.count - position
            if unread > maximumRecordBytes { throw RecordTooLong(limit: maximumRecordBytes) }
            try fill()
            while !atEnd, buffer.count - position < 2 * unread { try fill() }
        }
    }

    /// A record at end of input that has no line break after it.
    private mutating func finishAtEnd() -> [String]? {
        guard position < buffer.count else { return nil }
        // parseRecord stopped only because the input ended: read the rest as the last record.
        var fields: [String] = []
        var index = position
        let result = parseFields(from: &index, into: &fields, final: true)
        position = buffer.count
        if result == .unterminatedQuote { failed = true; return nil }
        return fields
    }

    private enum ParseResult { case record, needMore, unterminatedQuote }

    /// Parses one whole record from `position`; nil when the buffer ends before the record does.
    private mutating func parseRecord() -> [String]? {
        guard position < buffer.count else { return nil }
        var fields: [String] = []
        fields.reserveCapacity(32)
        var index = position
        switch parseFields(from: &index, into: &fields, final: false) {
        case .record:
            position = index
            return fields
        case .needMore, .unterminatedQuote:
            return nil
        }
    }

    private mutating func parseFields(from index: inout Int, into fields: inout [String], final: Bool) -> ParseResult {
        var scratch = self.scratch
        self.scratch = []
        let delimiter = self.delimiter
        let result = buffer.withUnsafeBufferPointer {
            Self.parse($0, from: &index, into: &fields, scratch: &scratch, delimiter: delimiter, final: final)
        }
        self.scratch = scratch
        return result
    }

    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>, from index: inout Int, into fields: inout [String],
                              scratch: inout [UInt8], delimiter: UInt8, final: Bool) -> ParseResult {
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        do {
            let end = bytes.count
            var i = index
            while true {
                // One field.
                if i < end, bytes[i] == quote {
                    scratch.removeAll(keepingCapacity: true)
                    i += 1
                    while true {
                        guard i < end else { return final ? .unterminatedQuote : .needMore }
                        let byte = bytes[i]
                        if byte == quote {
                            if i + 1 < end, bytes[i + 1] == quote { scratch.append(quote); i += 2; continue }
                            if i + 1 >= end, !final { return .needMore }
                            i += 1
                            break
                        }
                        scratch.append(byte)
                        i += 1
                    }
                    // Characters after a closing quote, up to the delimiter, are kept as typed.
                    while i < end, bytes[i] != delimiter, bytes[i] != cr, bytes[i] != lf { scratch.append(bytes[i]); i += 1 }
                    fields.append(scratch.withUnsafeBufferPointer { Self.decode($0) })
                } else {
                    let start = i
                    while i < end, bytes[i] != delimiter, bytes[i] != cr, bytes[i] != lf { i += 1 }
                    if i == end, !final { return .needMore }
                    fields.append(Self.decode(UnsafeBufferPointer(rebasing: bytes[start..<i])))
                }
                // What ends the field.
                if i == end {
                    if !final { return .needMore }
                    index = i
                    return .record
                }
                let byte = bytes[i]
                if byte == delimiter { i += 1; continue }
                if byte == cr {
                    if i + 1 == end, !final { return .needMore }
                    i += (i + 1 < end && bytes[i + 1] == lf) ? 2 : 1
                } else {
                    i += 1
                }
                index = i
                return .record
            }
        }
    }

    /// UTF-8 when valid, else Windows-1252.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        // ASCII (most fields) is valid UTF-8 as it is; the rest is validated.
        if !bytes.contains(where: { $0 >= 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(windows1252(byte)) }
        return String(scalars)
    }

    /// The character of a Windows-1252 byte (0x80–0x9F differ from Latin-1).
    static func windows1252(_ byte: UInt8) -> Unicode.Scalar {
        let table: [UInt32] = [
            0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
            0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
        ]
        let value = (0x80...0x9F).contains(byte) ? table[Int(byte) - 0x80] : UInt32(byte)
        return Unicode.Scalar(value) ?? "?"
    }
}
