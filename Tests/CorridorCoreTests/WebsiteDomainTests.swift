import CorridorCore
import Foundation
import Testing
import ZIPFoundation

/// The website's rules without HTTP: addresses, what publication needs, the menu, the order,
/// the offices' form and map.
@Suite struct WebsiteDomainTests {
    @Test func addressesAndWhatPublicationNeeds() {
        #expect(SitePageRules.slug(from: "Où travaillons-nous ?") == "ou-travaillons-nous")
        #expect(SitePageRules.slug(from: "L'organisation dans le monde") == "l-organisation-dans-le-monde")
        #expect(SitePageRules.isSlug("qui-sommes-nous"))
        for bad in ["", "Qui", "a--b", "-a", "a-", "été", "a b", String(repeating: "a", count: 81)] { #expect(!SitePageRules.isSlug(bad), "\(bad)") }

        var draft = SitePageDraft(slugs: [.fr: "donnees", .en: "data"], titles: [.fr: "Données", .en: ""], bodies: [.fr: "Texte {{figure nothing}}"])
        let issues = SitePageRules.check(draft, reserved: ["data", "news"])
        #expect(issues.contains(FieldIssue("slug_en", "site.error.slug_reserved")))
        #expect(issues.contains { $0.field == "body_fr" && $0.code.hasPrefix("news.error.token:") })
        #expect(!issues.contains { $0.field == "slug_fr" })
        // Publication needs both languages: title, address, text.
        draft.bodies[.fr] = "Texte"
        #expect(Set(SitePageRules.checkPublishable(draft).map(\.field)) == ["title_en", "body_en"])
        // A link entry needs a web address and nothing else.
        let link = SitePageDraft(feature: .link, externalURL: "javascript:alert(1)", titles: [.fr: "Agenda 2030", .en: "2030 Agenda"])
        #expect(SitePageRules.check(link, reserved: []) == [FieldIssue("external_url", "site.error.external_url")])
        #expect(SitePageRules.checkPublishable(link).isEmpty)
        // A feature page may be published without text of its own.
        let offices = SitePageDraft(feature: .offices, slugs: [.fr: "bureaux", .en: "offices"], titles: [.fr: "Bureaux", .en: "Offices"])
        #expect(SitePageRules.checkPublishable(offices).isEmpty)
    }

    @Test func theMenuFollowsTheOrderAndFindsPagesInEitherLanguage() throws {
        let who = UUID(), work = UUID(), about = UUID(), world = UUID(), agenda = UUID()
        let menu = SiteMenu([
            SiteMenuEntry(id: work, parentID: nil, position: 2, titles: [.fr: "Notre travail", .en: "Our work"], slugs: [.fr: "notre-travail", .en: "our-work"]),
            SiteMenuEntry(id: world, parentID: who, position: 2, titles: [.fr: "Monde", .en: "World"], slugs: [.fr: "monde", .en: "world"]),
            SiteMenuEntry(id: who, parentID: nil, position: 1, titles: [.fr: "Qui", .en: "Who"], slugs: [.fr: "qui", .en: "who"]),
            SiteMenuEntry(id: about, parentID: who, position: 1, titles: [.fr: "À propos", .en: "About"], slugs: [.fr: "a-propos", .en: "about-us"]),
            SiteMenuEntry(id: agenda, parentID: nil, position: 3, titles: [.fr: "Agenda", .en: "Agenda"], slugs: [:], externalURL: "https://example.org/2030"),
            // A sub-page whose section is not published is not in the menu.
            SiteMenuEntry(id: UUID(), parentID: UUID(), position: 1, titles: [.fr: "Orpheline"], slugs: [.fr: "orpheline"]),
        ])
        #expect(menu.sections.map(\.entry.id) == [who, work, agenda])
        #expect(menu.sections[0].children.map(\.id) == [about, world])
        #expect(menu.path(of: about, .fr) == "/qui/a-propos")
        #expect(menu.path(of: about, .en) == "/who/about-us")
        #expect(menu.path(of: agenda, .fr) == "https://example.org/2030")
        let found = try #require(menu.find(section: "who", page: "about-us"))
        #expect(found.entry.id == about && found.language == .en)
        #expect(menu.find(section: "qui", page: nil)?.language == .fr)
        #expect(menu.find(section: "orpheline", page: nil) == nil)
        #expect(menu.find(section: "qui", page: "nothing") == nil)

        let order = [who, work, agenda]
        #expect(SiteOrder.moving(agenda, by: -1, in: order) == [who, agenda, work])
        #expect(SiteOrder.moving(who, by: -1, in: order) == order, "the first stays first")
        #expect(SiteOrder.moving(work, by: 1, in: order) == [who, agenda, work])
    }

    @Test func theSeedIsPlaceholderTextInBothLanguages() {
        #expect(SiteSeed.pages.filter { $0.parent == nil }.map { $0.draft.title(.fr) }
                == ["Qui sommes-nous", "Notre travail", "Où travaillons-nous", "Agir", "Données et ressources", "Agenda 2030"])
        for page in SiteSeed.pages {
            #expect(SitePageRules.checkPublishable(page.draft).isEmpty, "\(page.key)")
            #expect(SitePageRules.check(page.draft, reserved: []).isEmpty, "\(page.key)")
            guard page.draft.feature != .link else { continue }
            #expect(page.draft.body(.fr).contains("Texte d'exemple") && page.draft.body(.en).contains("Sample text"))
        }
    }

    @Test func officesFormAndMap() throws {
        var draft = OfficeDraft(code: "TUN", city: "Tunis", email: "tunis@example.org", latitude: "36,80", longitude: "10.18")
        let checked = OfficeRules.check(draft)
        #expect(checked.issues.isEmpty)
        #expect(checked.position == MapPoint(longitude: 10.18, latitude: 36.8))
        draft.code = "XXX"
        draft.email = "nobody"
        draft.latitude = "95"
        draft.longitude = ""
        #expect(Set(OfficeRules.check(draft).issues.map(\.field)) == ["code", "email", "latitude", "longitude"])
        draft = OfficeDraft(code: "CIV", city: "Abidjan")
        #expect(OfficeRules.check(draft).issues.isEmpty && OfficeRules.check(draft).position == nil, "an office need not be on the map")

        let abidjan = MapPoint(longitude: -4.03, latitude: 5.32), tunis = MapPoint(longitude: 10.18, latitude: 36.8)
        let map = OfficeMap(points: [abidjan, tunis])
        for point in [abidjan, tunis] {
            let (x, y) = map.project(point)
            #expect(x > 0 && x < map.width && y > 0 && y < map.height)
        }
        #expect(map.project(tunis).y < map.project(abidjan).y, "north is up")
        #expect(map.project(tunis).x > map.project(abidjan).x, "east is right")
        let one = OfficeMap(points: [abidjan])
        #expect(one.east - one.west >= 44 && one.north - one.south >= 30, "one office still shows its region")
        #expect(map.path([abidjan, tunis]).hasPrefix("M") && map.path([abidjan, tunis]).hasSuffix("Z"))
        #expect(OfficeMap.outlines.allSatisfy { $0.count > 20 })
    }
}

/// The sharing card: a real PNG, its figure drawn where the layout puts it.
@Suite struct FigureCardTests {
    @Test func aFigureIsCutFromWhatItCounts() {
        #expect(FigureCard.parts(of: "[1 234 personnes rentrées](/data)") == ("1 234", "personnes rentrées"))
        #expect(FigureCard.parts(of: "12,5 % des retours") == ("12,5 %", "des retours"))
        #expect(FigureCard.parts(of: "moins de 5 personnes") == ("moins de 5 personnes", ""))
        #expect(FigureCard.fold("Côte d’Ivoire : «  retours »") == "COTE D'IVOIRE : RETOURS")
    }

    @Test func theCardIsAPNGOfTheRightSizeWithItsFigureDrawn() throws {
        let png = try FigureCard.png(figure: "1 234", label: "personnes rentrées depuis 2017", footer: "corridor.example.org")
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        #expect(png.count < 40_000, "a card is small: \(png.count) bytes")
        // IHDR: 1200 × 630, 8 bits, indexed colour.
        let header = Array(png[16..<29])
        #expect(header == [0, 0, 0x04, 0xB0, 0, 0, 0x02, 0x76, 8, 3, 0, 0, 0])
        // The image data inflates back to the rows, each starting with its filter byte.
        let idat = try #require(png.range(of: Data("IDAT".utf8)))
        let length = png[(idat.lowerBound - 4)..<idat.lowerBound].reduce(0) { $0 << 8 | Int($1) }
        let zlib = png[idat.upperBound..<(idat.upperBound + length)]
        let deflated = Data(zlib.dropFirst(2).dropLast(4))
        var rows = Data()
        _ = try Data.decompress(size: Int64(deflated.count), bufferSize: 64 * 1024, skipCRC32: true, provider: { position, size in
            deflated.subdata(in: Int(position)..<min(Int(position) + size, deflated.count))
        }, consumer: { rows.append($0) })
        #expect(rows.count == (1200 + 1) * 630)
        let ink = (0..<630).reduce(0) { total, row in total + rows[(row * 1201 + 1)..<((row + 1) * 1201)].filter { $0 == 1 }.count }
        #expect(ink > 20_000, "the figure and the words are drawn: \(ink) pixels")
        let lines = FigureCard.wrap("UN DEUX TROIS QUATRE CINQ SIX", columns: 10, maximumLines: 2)
        #expect(lines == ["UN DEUX", "TROIS..."])
    }
}
