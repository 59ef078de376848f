import CorridorCore
import NIOConcurrencyHelpers
import Vapor

/// How many requests are being served at once, in all and per client address, so that one
/// address (or a crowd) cannot hold every worker: past the per-address cap the answer is 429,
/// past the total 503, each with `Retry-After`. The per-address cap is generous — behind carrier
/// NAT many people share one address — and counts an IPv6 client by its /64. This counts requests, not sockets: Vapor offers no hook
/// on accepted connections, so idle sockets are bounded by the idle timeout and, in production,
/// by the reverse proxy's connection limits (README, Security).
final class RequestLimiter: Sendable {
    let total: Int
    let perAddress: Int
    private let state = NIOLockedValueBox(State())

    struct State {
        var inFlight = 0
        var byAddress: [String: Int] = [:]
    }

    enum Refusal: Equatable { case address, server }

    init(total: Int, perAddress: Int) {
        self.total = total
        self.perAddress = perAddress
    }

    /// Takes a place for a request from `address`, or says why there is none.
    func enter(_ address: String) -> Refusal? {
        state.withLockedValue { state in
            if state.byAddress[address, default: 0] >= perAddress { return .address }
            if state.inFlight >= total { return .server }
            state.inFlight += 1
            state.byAddress[address, default: 0] += 1
            return nil
        }
    }

    func leave(_ address: String) {
        state.withLockedValue { state in
            state.inFlight -= 1
            let left = state.byAddress[address, default: 1] - 1
            state.byAddress[address] = left > 0 ? left : nil
        }
    }

    var inFlight: Int { state.withLockedValue { $0.inFlight } }
}

/// Outermost but for the security headers: a refused request costs no database work (no
/// session looked up, no page rendered), so that a flood cannot queue work behind the cap.
struct RequestLimitMiddleware: AsyncMiddleware {
    let limiter: RequestLimiter

    /// The same few bytes for every refusal, in both languages.
    static func refusal(_ status: HTTPResponseStatus) -> Response {
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: "Retry-After", value: "1")
        headers.contentType = .plainText
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return Response(status: status, headers: headers, body: .init(string:
            "Le serveur traite déjà beaucoup de demandes : réessayez dans un instant.\nThe server is already handling many requests: try again in a moment.\n"))
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let address = ClientAddress.limitKey(request.clientAddress)
        if let refusal = limiter.enter(address) {
            request.logger.warning("request refused: \(refusal == .address ? "too many at once from one address" : "too many at once")")
            return Self.refusal(refusal == .address ? .tooManyRequests : .serviceUnavailable)
        }
        defer { limiter.leave(address) }
        return try await next.respond(to: request)
    }
}

extension Application {
    private struct RequestLimiterKey: StorageKey { typealias Value = RequestLimiter }

    var requestLimiter: RequestLimiter {
        get { configured(RequestLimiterKey.self) }
        set { storage[RequestLimiterKey.self] = newValue }
    }
}
