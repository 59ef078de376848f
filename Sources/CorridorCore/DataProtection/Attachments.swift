import Foundation

/// What a file attached to a case is: a signed consent form, a scan of an identity or travel
/// document, or another paper of the file (a referral letter, a medical certificate).
public enum AttachmentKind: String, CaseCode {
    case consentForm = "consent_form"
    case identityDocument = "identity_document"
    case other

    public static let cataloguePrefix = "attachment.kind"
}

/// The file types a case accepts, recognised by their first bytes (never by the name or the
/// type the browser claims): what scanners and phones produce, and nothing a browser would run.
public enum AttachmentType: String, Sendable, CaseIterable, Codable {
    case pdf, jpeg, png

    public var mediaType: String {
        switch self {
        case .pdf: return "application/pdf"
        case .jpeg: return "image/jpeg"
        case .png: return "image/png"
        }
    }

    public var fileExtension: String {
        switch self {
        case .pdf: return "pdf"
        case .jpeg: return "jpg"
        case .png: return "png"
        }
    }

    /// The type whose signature `bytes` start with, if any.
    public static func recognise(_ bytes: some Collection<UInt8>) -> AttachmentType? {
        let head = Array(bytes.prefix(8))
        if head.starts(with: Array("%PDF-".utf8)) { return .pdf }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        return nil
    }
}

/// The checks of an attachment before anything is stored.
public enum AttachmentRules {
    /// The largest size the setting allows (`CORRIDOR_ATTACHMENT_MAX_MB`), in megabytes.
    public static let largestLimitMegabytes = 25
    public static let nameLimit = 120

    /// What is wrong with a file of `size` bytes starting with `head`, for a limit of
    /// `limitBytes` (empty when nothing is), and the type recognised.
    public static func check(kind: AttachmentKind?, size: Int, head: some Collection<UInt8>, limitBytes: Int) -> (type: AttachmentType?, issues: [FieldIssue]) {
        var issues: [FieldIssue] = []
        if kind == nil { issues.append(FieldIssue("kind", "case.error.required")) }
        let type = AttachmentType.recognise(head)
        if size == 0 {
            issues.append(FieldIssue("file", "attachment.error.no_file"))
        } else if size > limitBytes {
            issues.append(FieldIssue("file", "attachment.error.too_large"))
        } else if type == nil {
            issues.append(FieldIssue("file", "attachment.error.type"))
        }
        return (issues.isEmpty ? type : nil, issues)
    }

    /// The name a download is offered under: the uploaded name's last path component, without
    /// control characters, quotes or separators, cut to `nameLimit`, ending in the extension of
    /// the type found (a `.pdf` name never hides an image, nor the other way round).
    public static func downloadName(_ uploaded: String, type: AttachmentType) -> String {
        let last = uploaded.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        var stem = String(last.unicodeScalars.filter { scalar in
            !CharacterSet.controlCharacters.contains(scalar) && !"\"';:*?<>|%".unicodeScalars.contains(scalar)
        }.map(Character.init)).trimmingCharacters(in: .whitespaces)
        if let dot = stem.lastIndex(of: ".") { stem = String(stem[..<dot]) }
        stem = String(stem.trimmingCharacters(in: CharacterSet(charactersIn: ". ")).prefix(nameLimit - 4))
        if stem.isEmpty { stem = "attachment" }
        return stem + "." + type.fileExtension
    }
}
