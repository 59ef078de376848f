import CorridorCore
import Foundation
import Vapor

/// A sharing card as a response: a PNG, public, kept by caches for an hour.
enum FigureCardResponse {
    static func make(figure: String, label: String, _ req: Request) throws -> Response {
        let host = req.corridor.configuration.publicURL.host ?? "Corridor"
        let png = try FigureCard.png(figure: figure, label: label, footer: host)
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "image/png")
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
        return Response(status: .ok, headers: headers, body: .init(data: png))
    }
}
