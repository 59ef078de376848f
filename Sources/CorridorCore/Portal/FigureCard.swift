import Foundation
import ZIPFoundation

/// The image a shared link shows (WhatsApp, Facebook, X take PNG, not SVG): 1200 × 630, the
/// key figure large, what it counts under it, the site's name. Drawn here with a 5 × 7 pixel
/// font (capitals without accents, digits, common signs) and written as an indexed-colour PNG
/// compressed with zlib's deflate (through ZIPFoundation) — a few kilobytes.
public enum FigureCard {
    public static let width = 1200
    public static let height = 630

    /// Background, ink, accent.
    static let palette: [UInt8] = [0x0B, 0x4F, 0x8A, 0xFF, 0xFF, 0xFF, 0xF2, 0xB7, 0x05]

    /// A card: `figure` as large as fits (up to two lines), `label` under it (up to three
    /// lines), `footer` at the bottom (the site's name or address).
    public static func png(figure: String, label: String, footer: String) throws -> Data {
        var canvas = Canvas(width: width, height: height)
        let margin = 60
        let usable = width - 2 * margin
        // The accent band.
        canvas.fill(x: margin, y: 60, width: 120, height: 12, colour: 2)
        canvas.write("CORRIDOR", x: margin, y: 100, scale: 5, colour: 1)
        var y = 190
        let figureText = fold(figure)
        if !figureText.isEmpty {
            let scale = max(6, min(22, usable / max(advance(figureText.count), 1)))
            let lines = wrap(figureText, columns: max(usable / (6 * scale), 1), maximumLines: 2)
            for line in lines {
                canvas.write(line, x: margin, y: y, scale: scale, colour: 1)
                y += 9 * scale
            }
            y += 10
        }
        let labelLines = wrap(fold(label), columns: usable / (6 * 7), maximumLines: figureText.isEmpty ? 5 : 3)
        for line in labelLines where y + 7 * 7 < height - 90 {
            canvas.write(line, x: margin, y: y, scale: 7, colour: 1)
            y += 9 * 7
        }
        canvas.write(String(fold(footer).prefix(usable / (6 * 4))), x: margin, y: height - 80, scale: 4, colour: 2)
        return try encode(canvas)
    }

    /// A published figure's text cut in two: the number it starts with (`1 234`, `12,5 %`) and
    /// what it counts (`personnes rentrées`); a text that starts with no digit is all figure.
    /// A figure frozen as a link (`[1 234 personnes](/data)`) is read without the link.
    public static func parts(of published: String) -> (figure: String, rest: String) {
        let text = FigureToken.plainText(published.trimmingCharacters(in: .whitespacesAndNewlines))
        let numeric = text.prefix { $0.isNumber || $0.isWhitespace || ",.%+".contains($0) }
        guard numeric.contains(where: \.isNumber) else { return (text, "") }
        return (numeric.trimmingCharacters(in: .whitespaces), text.dropFirst(numeric.count).trimmingCharacters(in: .whitespaces))
    }

    /// Pixels of `characters` glyphs at scale 1 (5 wide, 1 apart).
    static func advance(_ characters: Int) -> Int { characters * 6 - 1 }

    /// Capitals without accents; what the font lacks becomes a space; spaces of any kind single.
    public static func fold(_ text: String) -> String {
        let plain = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "en")).uppercased()
            .replacingOccurrences(of: "Œ", with: "OE").replacingOccurrences(of: "Æ", with: "AE").replacingOccurrences(of: "’", with: "'")
            .replacingOccurrences(of: "«", with: "").replacingOccurrences(of: "»", with: "")
        let mapped = plain.map { glyphs[$0] == nil ? " " : $0 }
        return String(mapped).split(separator: " ").joined(separator: " ")
    }

    /// Words in lines of at most `columns` characters; a word longer than a line is cut; the
    /// last line ends with `...` when text is left over.
    public static func wrap(_ text: String, columns: Int, maximumLines: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ").map(String.init) {
            let candidate = current.isEmpty ? word : current + " " + word
            if candidate.count <= columns { current = candidate; continue }
            if !current.isEmpty { lines.append(current) }
            current = String(word.prefix(columns))
        }
        if !current.isEmpty { lines.append(current) }
        guard lines.count > maximumLines else { return lines }
        var kept = Array(lines.prefix(maximumLines))
        kept[maximumLines - 1] = String(kept[maximumLines - 1].prefix(max(columns - 3, 0))) + "..."
        return kept
    }

    struct Canvas {
        let width: Int
        let height: Int
        var pixels: [UInt8]

        init(width: Int, height: Int) {
            self.width = width
            self.height = height
            pixels = Array(repeating: 0, count: width * height)
        }

        mutating func fill(x: Int, y: Int, width w: Int, height h: Int, colour: UInt8) {
            for row in max(y, 0)..<min(y + h, height) {
                for column in max(x, 0)..<min(x + w, width) { pixels[row * width + column] = colour }
            }
        }

        mutating func write(_ text: String, x: Int, y: Int, scale: Int, colour: UInt8) {
            var left = x
            for character in text {
                if let rows = FigureCard.glyphs[character] {
                    for (row, bits) in rows.enumerated() {
                        for (column, bit) in bits.enumerated() where bit == "#" {
                            fill(x: left + column * scale, y: y + row * scale, width: scale, height: scale, colour: colour)
                        }
                    }
                }
                left += 6 * scale
            }
        }
    }

    static func encode(_ canvas: Canvas) throws -> Data {
        // Each row: filter type 0, then one palette index per pixel.
        var raw = Data(capacity: (canvas.width + 1) * canvas.height)
        for row in 0..<canvas.height {
            raw.append(0)
            raw.append(contentsOf: canvas.pixels[(row * canvas.width)..<((row + 1) * canvas.width)])
        }
        var deflated = Data()
        let source = raw
        _ = try Data.compress(size: Int64(source.count), bufferSize: 64 * 1024, provider: { position, size in
            source.subdata(in: Int(position)..<min(Int(position) + size, source.count))
        }, consumer: { deflated.append($0) })
        var zlib = Data([0x78, 0x9C])
        zlib.append(deflated)
        zlib.append(contentsOf: bigEndian(adler32(raw)))

        var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        var header = Data()
        header.append(contentsOf: bigEndian(UInt32(canvas.width)))
        header.append(contentsOf: bigEndian(UInt32(canvas.height)))
        header.append(contentsOf: [8, 3, 0, 0, 0])
        png.append(chunk("IHDR", header))
        png.append(chunk("PLTE", Data(palette)))
        png.append(chunk("IDAT", zlib))
        png.append(chunk("IEND", Data()))
        return png
    }

    static func chunk(_ type: String, _ data: Data) -> Data {
        var body = Data(type.utf8)
        body.append(data)
        var chunk = Data(bigEndian(UInt32(data.count)))
        chunk.append(body)
        chunk.append(contentsOf: bigEndian(body.crc32(checksum: 0)))
        return chunk
    }

    static func adler32(_ data: Data) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        return b << 16 | a
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24 & 0xFF), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    /// 5 × 7 glyphs, drawn for this card.
    static let glyphs: [Character: [String]] = [
        " ": [".....", ".....", ".....", ".....", ".....", ".....", "....."],
        "0": [".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."],
        "1": ["..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."],
        "2": [".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"],
        "3": ["#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."],
        "4": ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."],
        "5": ["#####", "#....", "####.", "....#", "....#", "#...#", ".###."],
        "6": ["..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."],
        "7": ["#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."],
        "8": [".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."],
        "9": [".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."],
        "A": [".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
        "B": ["####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."],
        "C": [".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."],
        "D": ["###..", "#..#.", "#...#", "#...#", "#...#", "#..#.", "###.."],
        "E": ["#####", "#....", "#....", "####.", "#....", "#....", "#####"],
        "F": ["#####", "#....", "#....", "####.", "#....", "#....", "#...."],
        "G": [".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"],
        "H": ["#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
        "I": [".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."],
        "J": ["..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."],
        "K": ["#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"],
        "L": ["#....", "#....", "#....", "#....", "#....", "#....", "#####"],
        "M": ["#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"],
        "N": ["#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"],
        "O": [".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
        "P": ["####.", "#...#", "#...#", "####.", "#....", "#....", "#...."],
        "Q": [".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"],
        "R": ["####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"],
        "S": [".####", "#....", "#....", ".###.", "....#", "....#", "####."],
        "T": ["#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."],
        "U": ["#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
        "V": ["#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."],
        "W": ["#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."],
        "X": ["#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"],
        "Y": ["#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."],
        "Z": ["#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"],
        ".": [".....", ".....", ".....", ".....", ".....", ".##..", ".##.."],
        ",": [".....", ".....", ".....", ".....", ".##..", "..#..", ".#..."],
        "%": ["##..#", "##..#", "...#.", "..#..", ".#...", "#..##", "#..##"],
        "+": [".....", "..#..", "..#..", "#####", "..#..", "..#..", "....."],
        "-": [".....", ".....", ".....", "#####", ".....", ".....", "....."],
        ":": [".....", ".##..", ".##..", ".....", ".##..", ".##..", "....."],
        "'": ["..#..", "..#..", ".#...", ".....", ".....", ".....", "....."],
        "(": ["...#.", "..#..", ".#...", ".#...", ".#...", "..#..", "...#."],
        ")": [".#...", "..#..", "...#.", "...#.", "...#.", "..#..", ".#..."],
        "/": ["....#", "....#", "...#.", "..#..", ".#...", "#....", "#...."],
        "<": ["...#.", "..#..", ".#...", "#....", ".#...", "..#..", "...#."],
        ">": [".#...", "..#..", "...#.", "....#", "...#.", "..#..", ".#..."],
    ]
}
