import CorridorCore
import Foundation
import Testing

@Suite struct AttachmentRulesTests {
    @Test func theTypeIsReadFromTheBytesNotTheName() {
        #expect(AttachmentType.recognise(Array("%PDF-1.7\n".utf8)) == .pdf)
        #expect(AttachmentType.recognise([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]) == .jpeg)
        #expect(AttachmentType.recognise([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) == .png)
        // What a browser would run or render, and what merely looks close, is none of them.
        #expect(AttachmentType.recognise(Array("<html><body>".utf8)) == nil)
        #expect(AttachmentType.recognise(Array("<svg xmlns=".utf8)) == nil)
        #expect(AttachmentType.recognise(Array(" %PDF-1.7".utf8)) == nil)
        #expect(AttachmentType.recognise([0x89, 0x50, 0x4E, 0x47]) == nil)
        #expect(AttachmentType.recognise([UInt8]()) == nil)
    }

    @Test func aFileIsCheckedForItsKindSizeAndType() {
        let pdf = Array("%PDF-1.4".utf8)
        let accepted = AttachmentRules.check(kind: .consentForm, size: 900, head: pdf, limitBytes: 1_000)
        #expect(accepted.type == .pdf && accepted.issues.isEmpty)
        #expect(AttachmentRules.check(kind: .consentForm, size: 1_001, head: pdf, limitBytes: 1_000).issues == [FieldIssue("file", "attachment.error.too_large")])
        #expect(AttachmentRules.check(kind: nil, size: 10, head: pdf, limitBytes: 1_000).issues == [FieldIssue("kind", "case.error.required")])
        #expect(AttachmentRules.check(kind: nil, size: 10, head: pdf, limitBytes: 1_000).type == nil)
        #expect(AttachmentRules.check(kind: .other, size: 0, head: [UInt8](), limitBytes: 1_000).issues == [FieldIssue("file", "attachment.error.no_file")])
        #expect(AttachmentRules.check(kind: .other, size: 12, head: Array("GIF89a".utf8), limitBytes: 1_000).issues == [FieldIssue("file", "attachment.error.type")])
    }

    @Test func theDownloadNameIsTheUploadedOneMadeSafeWithTheTypesExtension() {
        #expect(AttachmentRules.downloadName("Consentement signé.PDF", type: .pdf) == "Consentement signé.pdf")
        #expect(AttachmentRules.downloadName("C:\\Users\\awa\\scan 1.jpeg", type: .jpeg) == "scan 1.jpg")
        #expect(AttachmentRules.downloadName("../../etc/passwd", type: .pdf) == "passwd.pdf")
        // A name claiming one type for another's bytes ends in the real type's extension.
        #expect(AttachmentRules.downloadName("photo.pdf", type: .png) == "photo.png")
        #expect(AttachmentRules.downloadName("a\"b\r\nc;d.pdf", type: .pdf) == "abcd.pdf")
        #expect(AttachmentRules.downloadName("", type: .png) == "attachment.png")
        #expect(AttachmentRules.downloadName(".pdf", type: .pdf) == "attachment.pdf")
        #expect(AttachmentRules.downloadName(String(repeating: "x", count: 500) + ".pdf", type: .pdf).count == AttachmentRules.nameLimit)
    }
}
