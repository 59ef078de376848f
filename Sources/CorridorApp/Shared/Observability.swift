import CorridorCore
import Foundation
import Logging
import Metrics
import Prometheus
import Vapor

/// What an operator watches: metrics in the Prometheus text format (Vapor's own request counters
/// and latency histograms by route and status, plus Corridor's sign-ins, imports and backups),
/// and a JSON log format.
public enum Observability {
    /// One registry per process: the metrics system is bootstrapped once, whatever the number
    /// of applications (the tests make many).
    static let registry = PrometheusCollectorRegistry()
    private static let bootstrapped: Void = {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                                                   .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10)]
        MetricsSystem.bootstrap(factory)
    }()

    static func bootstrap() { _ = bootstrapped }

    /// Counts one event of Corridor's: `corridor_<name>_total{outcome=…}`.
    static func count(_ name: String, _ dimensions: [(String, String)], by amount: Int = 1) {
        guard amount > 0 else { return }
        Counter(label: "corridor_\(name)_total", dimensions: dimensions).increment(by: amount)
    }

    /// `GET /metrics`: only with the configured token; without one, there are no metrics here.
    @Sendable static func metrics(_ req: Request) async throws -> Response {
        guard let expected = req.corridor.configuration.metricsToken,
              let given = req.headers.bearerAuthorization?.token,
              ConstantTime.equal(given, expected) else { throw Abort(.notFound) }
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return Response(status: .ok, headers: headers, body: .init(string: registry.emitToString()))
    }
}

/// One JSON object per line: `time`, `level`, `label`, `message` and the metadata (the request
/// id Vapor gives every request, the user id once signed in), for a log collector.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String
    private let stream: @Sendable (String) -> Void

    public init(label: String, level: Logger.Level, stream: @escaping @Sendable (String) -> Void = { line in
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }) {
        self.label = label
        logLevel = level
        self.stream = stream
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?,
                    source: String, file: String, function: String, line: UInt) {
        var fields: [String: Any] = [
            "time": ISO8601DateFormatter().string(from: Date()), "level": level.rawValue,
            "label": label, "message": "\(message)",
        ]
        for (key, value) in metadata.merging(explicit ?? [:], uniquingKeysWith: { $1 }) { fields[key] = Self.plain(value) }
        guard let data = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]),
              let text = String(data: data, encoding: .utf8) else { return }
        stream(text)
    }

    static func plain(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): return text
        case .stringConvertible(let convertible): return convertible.description
        case .array(let values): return values.map(plain)
        case .dictionary(let values): return values.mapValues(plain)
        }
    }
}
