import CorridorCore
import Foundation

/// The review queue, one person's records, and the likely matches shown before a registration.
enum PeoplePages {
    static func percent(_ probability: Double) -> String {
        "\(Int((probability * 100).rounded(.down))) %"
    }

    /// The evidence as a reader takes it in: what agrees, what does not, what one side lacks.
    static func evidence(_ lines: [PeopleQueries.Evidence], _ context: PageContext) -> HTML {
        let items = lines.map { line -> HTML in
            let mark = line.agrees ? "agrees" : "differs"
            return "<li class=\"\(mark)\"><span class=\"visually-hidden\">\(context.t("match.\(mark)")): </span>\(context.t("match.field.\(line.feature)")) — \(context.t("match.level.\(line.feature).\(line.level)"))</li>"
        }
        return "<ul class=\"evidence\">\(items)</ul>"
    }

    /// One record as the comparison table shows it.
    static func rows(_ a: PeopleQueries.MemberSummary, _ b: PeopleQueries.MemberSummary, _ context: PageContext) -> HTML {
        func caseLink(_ member: PeopleQueries.MemberSummary) -> HTML {
            "<a href=\"/cases/\(member.case_number)\">\(member.case_number)</a> · \(context.t("match.member_number", ["number": String(member.member_number)])) · <a href=\"/people/\(member.id.uuidString)\">\(context.t("match.all_records"))</a>"
        }
        let lines: [(String, HTML, HTML)] = [
            (context.t("match.field.name"), "\(a.name)", "\(b.name)"),
            (context.t("match.field.birth_date"), "\(a.birth)", "\(b.birth)"),
            (context.t("match.field.sex"), "\(context.t("sex.\(a.sex)"))", "\(context.t("sex.\(b.sex)"))"),
            (context.t("match.field.document_number"), "\(a.document_number ?? "—")", "\(b.document_number ?? "—")"),
            (context.t("match.field.phone"), "\(a.phone ?? "—")", "\(b.phone ?? "—")"),
            (context.t("match.field.origin_region"), "\(a.origin_region ?? "—")", "\(b.origin_region ?? "—")"),
            (context.t("match.field.host_country"), "\(Layout.country(a.host_country, context))", "\(Layout.country(b.host_country, context))"),
            (context.t("match.field.office"), "\(a.office)", "\(b.office)"),
            (context.t("match.field.case"), caseLink(a), caseLink(b)),
            (context.t("match.field.registered_on"), "\(a.registered_on)", "\(b.registered_on)"),
        ]
        let rows: [HTML] = lines.map { label, x, y in "<tr><th scope=\"row\">\(label)</th><td>\(x)</td><td>\(y)</td></tr>" }
        return "\(rows)"
    }

    static func card(_ candidate: PeopleQueries.Candidate, _ context: PageContext) -> HTML {
        """
            <li class="card candidate">
              <h2>\(context.t("match.likelihood", ["percent": percent(candidate.probability)])) <small>\(context.t("match.origin.\(candidate.origin)"))</small></h2>
              <div class="table-wrap" tabindex="0"><table class="dense">
                <thead><tr><td></td><th scope="col">\(context.t("match.record_a"))</th><th scope="col">\(context.t("match.record_b"))</th></tr></thead>
                <tbody>\(rows(candidate.first, candidate.second, context))</tbody>
              </table></div>
              <h3>\(context.t("match.evidence"))</h3>
              \(evidence(candidate.evidence, context))
              <form method="post" action="/duplicates/\(candidate.id.uuidString)" class="decision">
                \(context.csrfField)
                <div class="field"><label for="reason-\(candidate.id.uuidString)">\(context.t("match.reason"))</label>
                <input id="reason-\(candidate.id.uuidString)" name="reason" type="text" maxlength="500"></div>
                <div class="actions">
                  <button type="submit" name="decision" value="same" class="primary">\(context.t("match.decide_same"))</button>
                  <button type="submit" name="decision" value="different">\(context.t("match.decide_different"))</button>
                </div>
              </form>
            </li>
            """
    }

    static func queue(_ queue: PeopleQueries.Queue, filter: PeopleQueries.QueueFilter, _ context: PageContext) -> HTML {
        let officeOptions: [HTML] = ([""] + queue.offices).map { office in
            "<option value=\"\(office)\"\(HTML(raw: (filter.office ?? "") == office ? " selected" : ""))>\(office.isEmpty ? context.t("match.all_offices") : office)</option>"
        }
        let scores = [0, 50, 70, 90, 99]
        let scoreOptions: [HTML] = scores.map { score in
            "<option value=\"\(score)\"\(HTML(raw: (filter.min_score ?? 0) == score ? " selected" : ""))>\(score == 0 ? context.t("match.any_score") : "≥ \(score) %")</option>"
        }
        let cards = queue.candidates.map { card($0, context) }
        let pages = max(1, (queue.total + queue.pageSize - 1) / queue.pageSize)
        func pageLink(_ page: Int) -> String {
            var query = ["page=\(page)"]
            if let office = filter.office?.nilIfEmpty { query.append("office=\(office.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")") }
            if let score = filter.min_score { query.append("min_score=\(score)") }
            return "/duplicates?" + query.joined(separator: "&")
        }
        let pager: HTML = pages <= 1 ? .empty : """
            <nav class="pager" aria-label="\(context.t("pagination.label"))">
            \(HTML.when(queue.page > 1) { "<a href=\"\(pageLink(queue.page - 1))\">← \(context.t("pagination.previous"))</a>" })
            <span>\(context.t("pagination.page_of", ["page": String(queue.page), "pages": String(pages)]))</span>
            \(HTML.when(queue.page < pages) { "<a href=\"\(pageLink(queue.page + 1))\">\(context.t("pagination.next")) →</a>" })
            </nav>
            """
        return Layout.page(context.t("match.queue_title"), context, """
        <h1>\(context.t("match.queue_title"))</h1>
        <p class="lead">\(context.t("match.queue_intro"))</p>
        <form method="get" action="/duplicates" class="filters card">
          <div class="field"><label for="office">\(context.t("match.field.office"))</label><select id="office" name="office">\(officeOptions)</select></div>
          <div class="field"><label for="min_score">\(context.t("match.min_score"))</label><select id="min_score" name="min_score">\(scoreOptions)</select></div>
          <button type="submit">\(context.t("filter.apply"))</button>
        </form>
        <p>\(context.plural("match.open_count", queue.total))</p>
        \(HTML.when(queue.candidates.isEmpty) { "<p class=\"empty\">\(context.t("match.queue_empty"))</p>" })
        <ul class="candidates">\(cards)</ul>
        \(pager)
        """)
    }

    static func person(_ person: PeopleQueries.Person, canUndo: Bool, _ context: PageContext) -> HTML {
        let name = person.records.last?.name ?? ""
        var previousArrival: String?
        let rows = person.records.map { record -> HTML in
            // Registered again after coming home: they left once more.
            let again = previousArrival.map { record.registered_on > $0 } ?? false
            if let arrival = record.arrival_date { previousArrival = max(previousArrival ?? arrival, arrival) }
            return """
            <tr><td>\(record.registered_on)</td>
            <td><a href="/cases/\(record.case_number)">\(record.case_number)</a> · \(String(record.member_number))</td>
            <td>\(record.name)</td><td>\(record.birth)</td><td>\(record.office)</td><td>\(Layout.country(record.host_country, context))</td>
            <td>\(record.departure_date.map { $0 } ?? "—")</td><td>\(record.arrival_date.map { $0 } ?? "—")</td>
            <td>\(context.t("status.\(record.status)"))\(HTML.when(again) { " <strong class=\"tag\">\(context.t("match.remigration"))</strong>" })</td></tr>
            """
        }
        let decisions = person.decisions.map { decision -> HTML in
            let undo: HTML = decision.undoneAt == nil && canUndo
                ? "<form method=\"post\" action=\"/people/decisions/\(decision.id.uuidString)/undo\" class=\"inline\">\(context.csrfField)<button type=\"submit\">\(context.t("match.undo"))</button></form>"
                : .empty
            let undone: HTML = decision.undoneAt.map { "<br><small>\(context.t("match.undone_by", ["name": decision.undoneBy ?? "", "date": context.format.dateTime($0)]))</small>" } ?? .empty
            return "<li>\(context.t("match.decided.\(decision.decision)", ["name": decision.decidedBy, "date": context.format.dateTime(decision.decidedAt)])) — \(decision.reason)\(undone) \(undo)</li>"
        }
        return Layout.page(context.t("match.person_title", ["name": name]), context, """
        <h1>\(context.t("match.person_title", ["name": name]))</h1>
        <p class="lead">\(context.plural("match.person_records", person.records.count + person.hidden))</p>
        \(HTML.when(person.hidden > 0) { "<p class=\"notice\">\(context.plural("match.person_hidden", person.hidden))</p>" })
        <div class="table-wrap" tabindex="0"><table>
          <thead><tr><th scope="col">\(context.t("match.field.registered_on"))</th><th scope="col">\(context.t("match.field.case"))</th>
          <th scope="col">\(context.t("match.field.name"))</th><th scope="col">\(context.t("match.field.birth_date"))</th><th scope="col">\(context.t("match.field.office"))</th>
          <th scope="col">\(context.t("match.field.host_country"))</th><th scope="col">\(context.t("match.departure"))</th><th scope="col">\(context.t("match.arrival"))</th>
          <th scope="col">\(context.t("match.status"))</th></tr></thead>
          <tbody>\(rows)</tbody>
        </table></div>
        <h2>\(context.t("match.decisions"))</h2>
        \(HTML.when(decisions.isEmpty) { "<p class=\"empty\">\(context.t("match.no_decisions"))</p>" })
        <ul>\(decisions)</ul>
        """)
    }

    /// Shown above the registration form when stored people look like the one being registered.
    static func likelyMatches(_ matches: [PeopleQueries.LikelyMatch], _ context: PageContext) -> HTML {
        guard !matches.isEmpty else { return .empty }
        let items = matches.map { match -> HTML in
            let caseText: HTML = match.openable
                ? "<a href=\"/cases/\(match.member.case_number)\" target=\"_blank\" rel=\"noopener\">\(match.member.case_number)</a>"
                : "\(match.member.case_number)"
            return """
            <li>
              <label><input type="radio" name="link_to" value="\(match.member.id.uuidString)">
              <strong>\(match.member.name)</strong> · \(match.member.birth) · \(match.member.office) · \(caseText) — \(context.t("match.likelihood", ["percent": percent(match.probability)]))</label>
              \(evidence(match.evidence, context))
            </li>
            """
        }
        return """
        <section class="card likely-matches" aria-labelledby="likely-title">
          <h2 id="likely-title">\(context.t("match.likely_title"))</h2>
          <p>\(context.t("match.likely_intro"))</p>
          <ul class="choices">\(items)
            <li><label><input type="radio" name="link_to" value="" checked> \(context.t("match.likely_none"))</label></li>
          </ul>
          <input type="hidden" name="matches_reviewed" value="1">
        </section>
        """
    }

    /// The report's section after an import: incoming people like stored people, each a link to
    /// its review card.
    static func importMatches(_ result: ImportMatches.Result, _ context: PageContext) -> HTML {
        guard result.imported > 0 else { return .empty }
        let rows = result.matches.map { match -> HTML in
            """
            <tr><td><a href="/cases/\(match.incoming.case_number)">\(match.incoming.case_number)</a> · \(String(match.incoming.member_number))</td><td>\(match.incoming.name)</td>
            <td><a href="/cases/\(match.stored.case_number)">\(match.stored.case_number)</a> · \(String(match.stored.member_number))</td><td>\(match.stored.name)</td>
            <td class="number">\(percent(match.probability))</td><td><a href="/duplicates/\(match.candidate.uuidString)">\(context.t("match.review"))</a></td></tr>
            """
        }
        let partial: HTML = result.checked < result.imported
            ? "<p class=\"hint\">\(context.t("match.import_partial", ["checked": context.format.integer(result.checked), "imported": context.format.integer(result.imported)]))</p>"
            : .empty
        return """
        <section class="card" aria-labelledby="import-matches">
          <h2 id="import-matches">\(context.t("match.import_title"))</h2>
          \(HTML.when(result.matches.isEmpty) { "<p>\(context.t("match.import_none"))</p>" })
          \(HTML.when(!result.matches.isEmpty) { """
            <p>\(context.plural("match.import_count", result.matches.count))</p>
            <div class="table-wrap" tabindex="0"><table class="dense">
            <thead><tr><th scope="col">\(context.t("match.import_incoming"))</th><th scope="col">\(context.t("match.field.name"))</th>
            <th scope="col">\(context.t("match.import_stored"))</th><th scope="col">\(context.t("match.field.name"))</th>
            <th scope="col">\(context.t("match.likelihood_short"))</th><th scope="col"></th></tr></thead>
            <tbody>\(rows)</tbody></table></div>
            """ })
          \(partial)
        </section>
        """
    }

    /// One candidate alone, for a link from an import's report.
    static func candidate(_ candidate: PeopleQueries.Candidate, _ context: PageContext) -> HTML {
        Layout.page(context.t("match.queue_title"), context, """
        <p><a href="/duplicates">← \(context.t("match.queue_title"))</a></p>
        <h1>\(context.t("match.likelihood", ["percent": percent(candidate.probability)]))</h1>
        <ul class="candidates">\(card(candidate, context))</ul>
        """)
    }
}
