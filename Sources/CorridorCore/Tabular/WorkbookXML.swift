import Foundation

/// A pull parser for the XML parts of a workbook, reading decompressed bytes a chunk at a time:
/// elements (their local names, attributes on demand), text with its entities decoded, CDATA,
/// comments and processing instructions. It keeps one chunk and the token being read, so a
/// sheet of any size is read in bounded memory, and it is strict where a hostile file would
/// hurt: a document type (and so any entity definition) is refused, every element must close
/// in order, a document cut off is an error, and tags, text runs and nesting are capped.
///
/// Written here rather than taken from Foundation: on Linux `XMLParser` reads a whole part
/// into libxml2 at once, hung when broken parts were parsed on several threads, and cannot
/// hand rows over one at a time.
struct WorkbookXML {
    enum Event: Equatable {
        case start(String)
        case end(String)
        case text(String)
    }

    /// Gives the next decompressed bytes, or an empty array at the end of the part.
    typealias Source = () throws -> [UInt8]

    private let source: Source
    private let part: String
    /// The longest run of text taken, in bytes; a longer one is a cell beyond Excel's limit.
    private let textBytes: Int
    private let cellCharacters: Int
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    /// Local names of the elements open, innermost last.
    private var open: [String] = []
    private var pendingEnd: String?
    private var sawRoot = false
    private var started = false
    /// The attributes of the last start element: full names (`r:id`) and decoded values.
    private(set) var attributes: [(name: String, value: String)] = []

    /// A tag, comment or processing instruction longer than this is not a workbook's.
    static let markupLimit = 1 << 20
    static let depthLimit = 256

    init(part: String, cellCharacters: Int, source: @escaping Source) {
        self.part = part
        self.source = source
        self.cellCharacters = cellCharacters
        // A cell's characters may take up to four bytes each, plus entities written out.
        self.textBytes = cellCharacters * 4 + 64
    }

    /// Reads a part already in memory.
    init(part: String, cellCharacters: Int, data: Data) {
        var remaining: Data? = data
        self.init(part: part, cellCharacters: cellCharacters) {
            defer { remaining = nil }
            return remaining.map { [UInt8]($0) } ?? []
        }
    }

    func attribute(_ name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }

    private var damaged: WorkbookReader.ReadError { .damagedPart(part) }

    /// The next event, or nil at the end of a complete document.
    mutating func next() throws -> Event? {
        if let name = pendingEnd {
            pendingEnd = nil
            return .end(name)
        }
        if !started {
            started = true
            try need(3)
            if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { position = 3 }
        }
        while true {
            if position >= buffer.count {
                try fill()
                if position >= buffer.count {
                    guard open.isEmpty, sawRoot else { throw damaged }
                    return nil
                }
            }
            if buffer[position] != UInt8(ascii: "<") {
                let text = try readText()
                if open.isEmpty {
                    guard text.allSatisfy({ $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }) else { throw damaged }
                    continue
                }
                return .text(text)
            }
            try need(9)
            let unread = buffer.count - position
            func follows(_ prefix: StaticString) -> Bool {
                let count = prefix.utf8CodeUnitCount
                guard unread >= count else { return false }
                return prefix.withUTF8Buffer { buffer[position..<(position + count)].elementsEqual($0) }
            }
            let second = unread > 1 ? buffer[position + 1] : 0
            if second == UInt8(ascii: "?") {
                position = try end(of: Array("?>".utf8), from: 2, limit: Self.markupLimit)
            } else if second == UInt8(ascii: "!"), follows("<!--") {
                position = try end(of: Array("-->".utf8), from: 4, limit: Self.markupLimit)
            } else if second == UInt8(ascii: "!"), follows("<![CDATA[") {
                guard !open.isEmpty else { throw damaged }
                let after = try end(of: Array("]]>".utf8), from: 9, limit: textBytes)
                let raw = buffer[(position + 9)..<(after - 3)]
                position = after
                guard let text = String(validating: raw, as: UTF8.self) else { throw damaged }
                return .text(text)
            } else if second == UInt8(ascii: "!") {
                // A document type: a workbook part never has one, and it is where entity
                // expansion attacks live.
                throw damaged
            } else if second == UInt8(ascii: "/") {
                let after = try endOfTag()
                var index = position + 2
                let nameStart = index
                while index < after - 1, !Self.isSpace(buffer[index]) { index += 1 }
                let name = Self.localName(buffer[nameStart..<index])
                while index < after - 1 { guard Self.isSpace(buffer[index]) else { throw damaged }; index += 1 }
                guard let last = open.last, last == name else { throw damaged }
                open.removeLast()
                position = after
                return .end(name)
            } else {
                return try readStartTag()
            }
        }
    }

    // MARK: Tokens

    private mutating func readStartTag() throws -> Event {
        let after = try endOfTag()
        var index = position + 1
        let close = after - 1
        var last = close
        let selfClosing = buffer[close - 1] == UInt8(ascii: "/") && close - 1 > position + 1
        if selfClosing { last -= 1 }
        let nameStart = index
        while index < last, !Self.isSpace(buffer[index]) { index += 1 }
        guard index > nameStart else { throw damaged }
        let name = Self.localName(buffer[nameStart..<index])
        attributes.removeAll(keepingCapacity: true)
        while true {
            while index < last, Self.isSpace(buffer[index]) { index += 1 }
            if index >= last { break }
            let attributeStart = index
            while index < last, buffer[index] != UInt8(ascii: "="), !Self.isSpace(buffer[index]) { index += 1 }
            guard index > attributeStart else { throw damaged }
            let attributeName = String(decoding: buffer[attributeStart..<index], as: UTF8.self)
            while index < last, Self.isSpace(buffer[index]) { index += 1 }
            guard index < last, buffer[index] == UInt8(ascii: "=") else { throw damaged }
            index += 1
            while index < last, Self.isSpace(buffer[index]) { index += 1 }
            guard index < last, buffer[index] == UInt8(ascii: "\"") || buffer[index] == UInt8(ascii: "'") else { throw damaged }
            let quote = buffer[index]
            index += 1
            let valueStart = index
            while index < last, buffer[index] != quote {
                guard buffer[index] != UInt8(ascii: "<") else { throw damaged }
                index += 1
            }
            guard index < last else { throw damaged }
            attributes.append((attributeName, try decode(buffer[valueStart..<index])))
            index += 1
        }
        if open.isEmpty {
            guard !sawRoot else { throw damaged }
            sawRoot = true
        }
        position = after
        if selfClosing {
            pendingEnd = name
        } else {
            guard open.count < Self.depthLimit else { throw damaged }
            open.append(name)
        }
        return .start(name)
    }

    /// A run of text up to the next `<` (or the end), entities decoded.
    private mutating func readText() throws -> String {
        var scanned = 0
        while true {
            let start = position + scanned
            if let found = buffer[start...].firstIndex(of: UInt8(ascii: "<")) {
                scanned = found - position
                break
            }
            scanned = buffer.count - position
            if atEnd { break }
            if scanned > textBytes { throw WorkbookReader.ReadError.cellTooLong(characters: cellCharacters) }
            try fill()
            if atEnd, position + scanned >= buffer.count { break }
        }
        if scanned > textBytes { throw WorkbookReader.ReadError.cellTooLong(characters: cellCharacters) }
        let text = try decode(buffer[position..<(position + scanned)])
        position += scanned
        return text
    }

    /// The index just past the `>` closing the tag at `position`, quotes respected.
    private mutating func endOfTag() throws -> Int {
        var index = position + 1
        var quote: UInt8 = 0
        while true {
            while index < buffer.count {
                let byte = buffer[index]
                if quote != 0 {
                    if byte == quote { quote = 0 }
                } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                    quote = byte
                } else if byte == UInt8(ascii: ">") {
                    return index + 1
                } else if byte == UInt8(ascii: "<") {
                    throw damaged
                }
                index += 1
            }
            guard !atEnd, index - position <= Self.markupLimit else { throw damaged }
            let offset = index - position
            try fill()
            index = position + offset
        }
    }

    /// The index just past `terminator`, searched from `position + skip`.
    private mutating func end(of terminator: [UInt8], from skip: Int, limit: Int) throws -> Int {
        var offset = skip
        while true {
            var index = position + offset
            while index + terminator.count <= buffer.count {
                if buffer[index] == terminator[0], buffer[index..<(index + terminator.count)].elementsEqual(terminator) {
                    return index + terminator.count
                }
                index += 1
            }
            offset = index - position
            guard !atEnd else { throw damaged }
            guard offset <= limit else {
                if limit == textBytes { throw WorkbookReader.ReadError.cellTooLong(characters: cellCharacters) }
                throw damaged
            }
            try fill()
        }
    }

    // MARK: Bytes

    /// Makes at least `count` unread bytes available, unless the part ends first.
    private mutating func need(_ count: Int) throws {
        while buffer.count - position < count, !atEnd { try fill() }
    }

    /// Appends the next chunk, dropping what has been read (indexes from `position` hold).
    private mutating func fill() throws {
        guard !atEnd else { return }
        let chunk = try source()
        if chunk.isEmpty { atEnd = true; return }
        if position > 0 {
            buffer.removeFirst(position)
            position = 0
        }
        buffer.append(contentsOf: chunk)
    }

    /// Text or an attribute value: UTF-8, with the five named entities and character references
    /// decoded, and line ends normalised to LF as XML requires.
    private func decode(_ bytes: ArraySlice<UInt8>) throws -> String {
        if !bytes.contains(UInt8(ascii: "&")), !bytes.contains(UInt8(ascii: "\r")) {
            guard let text = String(validating: bytes, as: UTF8.self) else { throw damaged }
            return text
        }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\r") {
                output.append(UInt8(ascii: "\n"))
                index += 1
                if index < bytes.endIndex, bytes[index] == UInt8(ascii: "\n") { index += 1 }
                continue
            }
            guard byte == UInt8(ascii: "&") else { output.append(byte); index += 1; continue }
            guard let semicolon = bytes[index...].prefix(12).firstIndex(of: UInt8(ascii: ";")) else { throw damaged }
            let name = String(decoding: bytes[(index + 1)..<semicolon], as: UTF8.self)
            switch name {
            case "lt": output.append(UInt8(ascii: "<"))
            case "gt": output.append(UInt8(ascii: ">"))
            case "amp": output.append(UInt8(ascii: "&"))
            case "quot": output.append(UInt8(ascii: "\""))
            case "apos": output.append(UInt8(ascii: "'"))
            default:
                guard name.hasPrefix("#") else { throw damaged }
                let digits = name.dropFirst()
                let value = digits.hasPrefix("x") ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
                guard let value, value != 0, let scalar = Unicode.Scalar(value) else { throw damaged }
                output.append(contentsOf: Array(String(Character(scalar)).utf8))
            }
            index = semicolon + 1
        }
        guard let text = String(validating: output, as: UTF8.self) else { throw damaged }
        return text
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D
    }

    /// `x:row` → `row`: some writers prefix the spreadsheet namespace.
    private static func localName(_ bytes: ArraySlice<UInt8>) -> String {
        let start = bytes.lastIndex(of: UInt8(ascii: ":")).map { $0 + 1 } ?? bytes.startIndex
        return String(decoding: bytes[start...], as: UTF8.self)
    }
}
