import CorridorCore
import Foundation
import Vapor

/// `corridor questionnaire xlsform CODE [--version N] --out FILE`
struct QuestionnaireCommandGroup: AsyncCommandGroup {
    var help: String { "Writes a questionnaire out for field tools." }
    var commands: [String: any AnyAsyncCommand] { ["xlsform": XLSFormCommand()] }

    struct XLSFormCommand: AsyncCommand {
        struct Signature: CommandSignature {
            @Argument(name: "code", help: "The questionnaire's code: profiling_return or reintegration_monitoring.") var code: String
            @Option(name: "version", help: "A version of the questionnaire (default: the latest).") var version: Int?
            @Option(name: "out", help: "The .xlsx file to write (default: CODE-vN.xlsx in the current folder).") var out: String?
        }
        var help: String { "Writes a questionnaire as an XLSForm that KoboToolbox and ODK Central take as it is." }

        func run(using context: CommandContext, signature: Signature) async throws {
            let app = context.application
            try await app.autoMigrate()
            guard let questionnaire = try await app.profilingCatalog.questionnaire(signature.code, version: signature.version) else {
                throw CommandFailure("no questionnaire \(signature.code)\(signature.version.map { " version \($0)" } ?? "")")
            }
            let path = signature.out ?? XLSForm.fileName(questionnaire)
            do {
                try XLSForm.workbook(questionnaire).write(to: URL(fileURLWithPath: path), options: .atomic)
            } catch {
                throw CommandFailure("cannot write \(path): \(error.localizedDescription)")
            }
            context.console.print("wrote \(questionnaire.code) version \(questionnaire.version) as an XLSForm to \(path)")
        }
    }
}
