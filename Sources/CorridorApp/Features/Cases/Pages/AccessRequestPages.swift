import CorridorCore
import Foundation

/// The printable file of one person, in the reader's language.
enum AccessRequestPages {
    static func file(_ file: PersonFile, _ context: PageContext, json: String) -> HTML {
        let person = file.person
        func row(_ key: String, _ value: String?) -> HTML {
            "<dt>\(context.t(key))</dt><dd>\(value.flatMap { $0.isEmpty ? nil : $0 } ?? "—")</dd>"
        }
        let birth = person.birthDate.map { Layout.day($0, context) } ?? person.birthYear.map { context.t("member.born_about", ["year": String($0)]) }
        let identity: [HTML] = [
            row("member.given_names", person.givenNames), row("member.family_name", person.familyName),
            row("member.sex", Layout.codeLabel("sex", person.sex, context)), row("member.birth_date", birth),
            row("member.relationship", Layout.codeLabel("relationship", person.relationship, context)),
            row("member.nationality", Layout.country(person.nationality, context)),
            row("member.document_type", Layout.codeLabel("document", person.documentType, context)), row("member.document_number", person.documentNumber),
            row("member.phone", person.phone), row("member.languages", person.languages),
            row("member.origin_region", person.originRegion), row("member.origin_department", person.originDepartment),
            row("member.education_level", Layout.codeLabel("education", person.educationLevel, context)), row("member.occupation", person.occupation),
            row("member.left_country_on", Layout.day(person.leftCountryOn, context)),
            row("member.route", person.route.map { Layout.country($0, context) }.joined(separator: " → ")),
            row("member.stay", Layout.codeLabel("stay", person.stay, context)),
            row("member.vulnerabilities", person.vulnerabilities.map { context.t("vulnerability." + $0) }.joined(separator: ", ")),
        ]
        let summary = file.caseSummary
        let caseRows: [HTML] = [
            row("case.number", summary.caseNumber), row("case.office", Layout.country(summary.office, context)),
            row("case.host_country", Layout.country(summary.hostCountry, context)), row("case.status", context.t("status." + summary.status)),
            row("case.registered_on", Layout.day(summary.registeredOn, context)), row("case.departure_date", Layout.day(summary.departureDate, context)),
            row("case.arrival_date", Layout.day(summary.arrivalDate, context)),
            row("access.household_size", String(summary.householdSize)),
        ]
        let history = file.history.map { step -> HTML in
            "<li>\(Layout.day(step.occurredOn, context)) — \(context.t("status." + step.toStatus))\(step.note.map { " (\($0))" } ?? "")</li>"
        }
        let consentItems = file.consent.map { entry -> HTML in
            let withdrawn: HTML = entry.withdrawnOn.map { " — \(context.t("consent.withdrawn_on", ["date": Layout.day($0, context)]))" } ?? .empty
            return "<li>\(Layout.day(entry.recordedOn, context)) — \(context.t("consent.purpose." + entry.purpose)): \(context.t("consent.answer." + entry.answer)) (\(context.t("consent.method." + entry.method)))\(withdrawn)</li>"
        }
        let consent: HTML = file.consent.isEmpty ? "<p>\(context.t("consent.none"))</p>" : "<ul>\(consentItems)</ul>"
        let attachmentItems = file.attachments.map { item -> HTML in
            "<li>\(context.format.dateTime(item.addedAt)) — \(context.t("attachment.kind." + item.kind)): \(item.fileName) (\(AttachmentPages.size(item.bytes, context)))\(HTML.when(item.isProtected) { " — \(context.t("attachment.protected_badge"))" })</li>"
        }
        let attachments: HTML = file.attachments.isEmpty ? "<p>\(context.t("attachment.none"))</p>" : "<ul>\(attachmentItems)</ul>"
        let assistance = file.assistance.map { item -> HTML in
            let whom = item.memberNumber == nil ? " — \(context.t("assistance.whole_household"))" : ""
            return "<li>\(Layout.day(item.providedOn, context)) — \(context.t("assistance." + item.type))\(whom)\(item.description.isEmpty ? "" : ": \(item.description)")</li>"
        }
        let interviews = file.interviews.map { interview -> HTML in
            let answers = interview.answers.sorted { $0.key < $1.key }.map { "<dt>\($0.key)</dt><dd>\($0.value)</dd>" as HTML }
            return "<li><p>\(Layout.day(interview.interviewedOn, context)) — \(interview.questionnaire)</p><dl class=\"facts\">\(answers)</dl></li>"
        }
        var protectedSection: HTML = .empty
        if let reads = file.protectedReads {
            let details = file.protectedDetails
            let readItems = reads.map { "<li>\(context.format.dateTime($0.at)) — \($0.by)</li>" as HTML }
            protectedSection = """
            <section class="card"><h2>\(context.t("protected.title"))</h2>
              <dl class="facts stacked">
                \(row("protected.exploitation_form", details?.exploitationForm))
                \(row("protected.identified_on", details?.identifiedOn.map { Layout.day($0, context) }))
                \(row("protected.identified_place", details?.identifiedPlace)) \(row("protected.identified_by", details?.identifiedBy))
                \(row("protected.referral", details?.referral)) \(row("protected.medical_notes", details?.medicalNotes))
              </dl>
              <h3>\(context.t("access.protected_reads"))</h3>
              \(reads.isEmpty ? "<p>\(context.t("access.none"))</p>" as HTML : "<ul>\(readItems)</ul>")
            </section>
            """
        }
        func list(_ items: [HTML]) -> HTML { items.isEmpty ? "<p>\(context.t("access.none"))</p>" : "<ul>\(items)</ul>" }
        return Layout.page(context.t("access.title", ["name": "\(person.givenNames) \(person.familyName)"]), context, """
        <p class="no-print"><a href="/cases/\(summary.caseNumber)">← \(summary.caseNumber)</a> · <a href="\(json)">\(context.t("access.download_json"))</a></p>
        <h1>\(context.t("access.title", ["name": "\(person.givenNames) \(person.familyName)"]))</h1>
        <p class="lead">\(context.t("access.intro", ["date": context.format.dateTime(file.generatedAt)]))</p>
        <section class="card"><h2>\(context.t("member.identity"))</h2><dl class="facts stacked">\(identity)</dl></section>
        <section class="card"><h2>\(context.t("case.title", ["number": summary.caseNumber]))</h2><dl class="facts stacked">\(caseRows)</dl>
          <h3>\(context.t("case.timeline"))</h3>\(list(history))</section>
        <section class="card"><h2>\(context.t("assistance.title"))</h2>\(list(assistance))</section>
        <section class="card"><h2>\(context.t("access.interviews"))</h2>\(interviews.isEmpty ? "<p>\(context.t("access.none"))</p>" as HTML : "<ol>\(interviews)</ol>")</section>
        <section class="card"><h2>\(context.t("access.consent"))</h2>\(consent)</section>
        <section class="card"><h2>\(context.t("attachment.title"))</h2>\(attachments)</section>
        \(protectedSection)
        <p class="hint">\(context.t(file.protectedReads == nil ? "access.protected_left_out" : "access.audited"))</p>
        """)
    }
}
