import CorridorApp
import CorridorCore
import Foundation
import Logging
import Vapor

/// The `corridor` executable: every command reads the same configuration.
@main
enum CorridorMain {
    static func main() async {
        let environment: [String: String]
        if let text = try? String(contentsOfFile: ".env", encoding: .utf8) {
            environment = DotEnv(parsing: text).merged(into: ProcessInfo.processInfo.environment)
        } else {
            environment = ProcessInfo.processInfo.environment
        }
        let configuration: CorridorConfiguration
        do {
            configuration = try CorridorConfiguration.parse(environment: environment)
        } catch {
            FileHandle.standardError.write(Data("corridor: \(error.description)\n".utf8))
            exit(2)
        }

        // Commands other than `serve` print their own results: keep the log to errors there,
        // so that a failing command says one line.
        let configured = Logger.Level(rawValue: configuration.logLevel.rawValue) ?? .info
        let arguments = CommandLine.arguments.dropFirst()
        let serving = arguments.isEmpty || arguments.first == "serve" || arguments.first?.hasPrefix("-") == true
        let level = serving ? configured : max(configured, .error)
        let json = configuration.logFormat == .json
        LoggingSystem.bootstrap { label in
            if json { return JSONLogHandler(label: label, level: level) }
            var handler = StreamLogHandler.standardOutput(label: label)
            handler.logLevel = level
            return handler
        }

        let app: Application
        do {
            let vaporEnvironment = try Environment.detect()
            app = try await Application.make(vaporEnvironment)
        } catch {
            FileHandle.standardError.write(Data("corridor: \(error)\n".utf8))
            exit(1)
        }
        do {
            try await configure(app, configuration: configuration)
            try await app.execute()
            try await app.asyncShutdown()
        } catch {
            FileHandle.standardError.write(Data("corridor: \(String(describing: error))\n".utf8))
            try? await app.asyncShutdown()
            exit((error as? any CommandExitStatus)?.exitCode ?? 1)
        }
    }
}
