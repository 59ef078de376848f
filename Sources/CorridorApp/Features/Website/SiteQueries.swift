import CorridorCore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The website's pages as the public and the editors read them.
struct SiteQueries: Sendable {
    let database: any Database

    /// The published pages whose section is published too, as the menu needs them.
    func menu() async throws -> SiteMenu {
        let pages = try await SitePageModel.query(on: database).filter(\.$status == "published").all()
        return SiteMenu(pages.compactMap { page in
            guard let id = page.id else { return nil }
            let link = page.publishedFeature == SitePageFeature.link.rawValue ? page.publishedExternalURL : nil
            return SiteMenuEntry(id: id, parentID: page.parentID, position: page.position,
                                 titles: [.fr: page.publishedTitleFR, .en: page.publishedTitleEN],
                                 slugs: [.fr: page.publishedSlugFR, .en: page.publishedSlugEN], externalURL: link)
        })
    }

    /// A page's published text in `language`.
    func published(_ id: UUID, _ language: Language) async throws -> (page: SitePageModel, revision: ContentRevisionModel)? {
        guard let page = try await SitePageModel.find(id, on: database), page.status == "published",
              let revision = try await revision(id, number: page.publishedNumber, language) else { return nil }
        return (page, revision)
    }

    func revision(_ id: UUID, number: Int, _ language: Language) async throws -> ContentRevisionModel? {
        try await ContentRevisionModel.query(on: database).filter(\.$contentType == SitePageModel.revisionType(language))
            .filter(\.$contentID == id).filter(\.$number == number).first()
    }

    /// Every page, sections first in their order, each followed by its sub-pages.
    func all() async throws -> [SitePageModel] {
        let pages = try await SitePageModel.query(on: database).sort(\.$position).sort(\.$createdAt).all()
        let sections = pages.filter { $0.parentID == nil }
        return sections.flatMap { section in [section] + pages.filter { $0.parentID == section.id } }
    }

    func find(_ id: UUID) async throws -> SitePageModel? { try await SitePageModel.find(id, on: database) }

    /// A page's revisions, newest first (the French row of each carries the kind, author, date).
    func revisions(_ id: UUID) async throws -> [ContentRevisionModel] {
        try await ContentRevisionModel.query(on: database).filter(\.$contentType == SitePageModel.revisionType(.fr)).filter(\.$contentID == id)
            .sort(\.$number, .descending).all()
    }
}

/// The public menu, kept per process: read again when a page is saved here, and at least
/// every few seconds (another process may have changed it).
final class SiteMenuCache: Sendable {
    private let kept = NIOLockedValueBox<(menu: SiteMenu, at: ContinuousClock.Instant)?>(nil)
    static let maximumAge: Duration = .seconds(5)

    func menu(on database: any Database) async throws -> SiteMenu {
        if let kept = kept.withLockedValue({ $0 }), ContinuousClock.now - kept.at < Self.maximumAge { return kept.menu }
        let menu = try await SiteQueries(database: database).menu()
        kept.withLockedValue { $0 = (menu, .now) }
        return menu
    }

    func forget() { kept.withLockedValue { $0 = nil } }
}

extension Application {
    private struct SiteMenuCacheKey: StorageKey { typealias Value = SiteMenuCache }

    var siteMenu: SiteMenuCache {
        get { configured(SiteMenuCacheKey.self) }
        set { storage[SiteMenuCacheKey.self] = newValue }
    }
}

/// Pages read the public menu from the request (a page never queries the database): put there
/// for every page request.
struct SiteMenuMiddleware: AsyncMiddleware {
    private struct MenuKey: StorageKey { typealias Value = SiteMenu }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.method == .GET || request.method == .HEAD || request.method == .POST {
            request.storage[MenuKey.self] = (try? await request.application.siteMenu.menu(on: request.db)) ?? .empty
        }
        return try await next.respond(to: request)
    }

    static func menu(of request: Request) -> SiteMenu { request.storage[MenuKey.self] ?? .empty }
}
