import AsyncHTTPClient
import Foundation
import NIOCore
import Vapor

/// One GET to a field server: the only thing a pull asks of the network, behind a protocol so
/// that the service is tested against a local server and run against the real ones alike.
protocol FieldServerClient: Sendable {
    /// The status and body of `url`; throws on a network failure (refused, reset, timed out).
    func get(_ url: String, headers: HTTPHeaders) async throws -> (status: UInt, headers: HTTPHeaders, body: Data)
}

/// Through AsyncHTTPClient (the one Vapor runs), with a deadline per request, a body read up to a
/// limit as it arrives (never buffered past it), and redirects not followed: a page that moves is
/// a failure to look at, and the token is never sent where it was not meant to go.
struct LiveFieldServerClient: FieldServerClient {
    let client: HTTPClient
    var timeout: TimeAmount = .seconds(60)
    /// Pages are refused past this size (a Kobo page of 1 000 submissions is a few megabytes).
    static let largestPage = 64 << 20

    func get(_ url: String, headers: HTTPHeaders) async throws -> (status: UInt, headers: HTTPHeaders, body: Data) {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers = headers
        let response = try await client.execute(request, timeout: timeout)
        guard response.status == .ok else { return (response.status.code, response.headers, Data()) }
        do {
            let body = try await response.body.collect(upTo: Self.largestPage)
            return (response.status.code, response.headers, Data(buffer: body))
        } catch is NIOTooManyBytesError {
            throw FieldPullFailure.tooLarge
        }
    }
}

/// Why a pull stopped (nothing of it applied), in words for the source's log.
enum FieldPullFailure: Error, Sendable, Equatable {
    /// The server answered this status after every retry (401/403: the token; 429: too many
    /// requests; 5xx: the server), or at once for a status never retried.
    case status(UInt)
    /// No answer: refused, reset, timed out.
    case network(String)
    /// The body is not the JSON the server documents.
    case unreadable
    /// A `next` link to another server than the source's (the token is never sent elsewhere).
    case foreignLink
    case tooLarge
    case tooMany(Int)
    /// The source's token cannot be opened with this secret (replaced or rotated without it).
    case sealedToken
    /// More columns than any form has (a server sending a new key with every submission).
    case tooWide(Int)
    /// Another pull of the same source is running.
    case running
}

extension Application {
    struct FieldHTTPClientKey: StorageKey { typealias Value = HTTPClient }

    /// The HTTP client of field pulls: redirects not followed, shut down with the application.
    var fieldHTTPClient: HTTPClient { configured(FieldHTTPClientKey.self) }

    /// Made once by `configure`.
    func makeFieldHTTPClient() async {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        let client = HTTPClient(eventLoopGroupProvider: .shared(eventLoopGroup), configuration: configuration)
        await storage.setWithAsyncShutdown(FieldHTTPClientKey.self, to: client, onShutdown: { try await $0.shutdown() })
    }

    private struct FieldServerClientKey: StorageKey { typealias Value = any FieldServerClient }
    private struct FieldRetryDelaysKey: StorageKey { typealias Value = [Duration] }

    var fieldServerClient: any FieldServerClient {
        get { storage[FieldServerClientKey.self] ?? LiveFieldServerClient(client: fieldHTTPClient) }
        set { storage[FieldServerClientKey.self] = newValue }
    }

    /// The waits between attempts of one request (three retries: 2, 8 and 30 seconds).
    var fieldRetryDelays: [Duration] {
        get { storage[FieldRetryDelaysKey.self] ?? [.seconds(2), .seconds(8), .seconds(30)] }
        set { storage[FieldRetryDelaysKey.self] = newValue }
    }
}
