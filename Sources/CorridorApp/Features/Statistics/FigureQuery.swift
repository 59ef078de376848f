import CorridorCore
import Foundation
import Vapor

/// The indicator and filters of a figure as the API's query string and the command line give them.
struct FigureQuery: Content {
    var indicator: String?
    var from: String?
    var to: String?
    var host_country: String?
    var nationality: String?
    var sex: String?
    var age_group: String?
    var region: String?
    var vulnerability: String?
    var office: String?
    var assistance_type: String?
    var question: String?
    var choice: String?

    func filters() throws -> FigureFilters {
        func day(_ text: String?) throws -> Day? {
            guard let text = text?.nilIfEmpty else { return nil }
            guard let day = Day(iso: text) else { throw Abort(.badRequest, reason: "error.date_format") }
            return day
        }
        return FigureFilters(from: try day(from), to: try day(to), hostCountry: host_country?.nilIfEmpty, nationality: nationality?.nilIfEmpty,
                             sex: sex?.nilIfEmpty, ageGroup: age_group?.nilIfEmpty, region: region?.nilIfEmpty, vulnerability: vulnerability?.nilIfEmpty,
                             office: office?.nilIfEmpty, assistanceType: assistance_type?.nilIfEmpty, question: question?.nilIfEmpty, choice: choice?.nilIfEmpty)
    }

    var filterValues: [String: String] {
        var values: [String: String] = [:]
        for (key, value) in [("from", from), ("to", to), ("host_country", host_country), ("nationality", nationality), ("sex", sex), ("age_group", age_group),
                             ("region", region), ("vulnerability", vulnerability), ("office", office), ("assistance_type", assistance_type),
                             ("question", question), ("choice", choice)] {
            if let value = value?.nilIfEmpty { values[key] = value }
        }
        return values
    }
}
