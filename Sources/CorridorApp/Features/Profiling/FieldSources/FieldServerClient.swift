import Foundation
import NIOCore
import Vapor

/// One GET to a field server: the only thing a pull asks of the network, behind a protocol so
/// that the service is tested against a local server and run against the real ones alike.
protocol FieldServerClient: Sendable {
    /// The status and body of `url`; throws on a network failure (refused, reset, timed out).
    func get(_ url: String, headers: HTTPHeaders) async throws -> (status: UInt, headers: HTTPHeaders, body: Data)
}

/// Through Vapor's HTTP client (AsyncHTTPClient), with a deadline per request.
struct LiveFieldServerClient: FieldServerClient {
    let client: any Client
    var timeout: TimeAmount = .seconds(60)
    /// Pages are refused past this size (a Kobo page of 1 000 submissions is a few megabytes).
    static let largestPage = 64 << 20

    func get(_ url: String, headers: HTTPHeaders) async throws -> (status: UInt, headers: HTTPHeaders, body: Data) {
        var request = ClientRequest(method: .GET, url: URI(string: url), headers: headers, body: nil)
        request.timeout = timeout
        let response = try await client.send(request)
        let body = response.body.map { Data(buffer: $0) } ?? Data()
        guard body.count <= Self.largestPage else { throw FieldPullFailure.tooLarge }
        return (response.status.code, response.headers, body)
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
}

extension Application {
    private struct FieldServerClientKey: StorageKey { typealias Value = any FieldServerClient }
    private struct FieldRetryDelaysKey: StorageKey { typealias Value = [Duration] }

    var fieldServerClient: any FieldServerClient {
        get { storage[FieldServerClientKey.self] ?? LiveFieldServerClient(client: client) }
        set { storage[FieldServerClientKey.self] = newValue }
    }

    /// The waits between attempts of one request (three retries: 2, 8 and 30 seconds).
    var fieldRetryDelays: [Duration] {
        get { storage[FieldRetryDelaysKey.self] ?? [.seconds(2), .seconds(8), .seconds(30)] }
        set { storage[FieldRetryDelaysKey.self] = newValue }
    }
}
