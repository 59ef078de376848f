/// Corridor figures an action indicator can follow instead of a typed value.
public enum LiveFigure: String, CaseCode {
    /// People whose case reached arrival, counted by arrival date.
    case returns
    /// Returned people flagged as victims of trafficking.
    case returnsVictimsOfTrafficking = "returns_vot"
    /// Households registered.
    case registrations
    /// Cases neither completed nor closed.
    case openCases = "open_cases"
    public static let cataloguePrefix = "live_figure"
}

extension LiveFigure {
    /// The indicator and filters of the engine that count this figure, from `since` when given.
    public func figure(since: Day?) -> (indicator: Indicator, filters: FigureFilters) {
        switch self {
        case .returns: return (.returns, FigureFilters(from: since))
        case .returnsVictimsOfTrafficking: return (.returns, FigureFilters(from: since, vulnerability: "vot"))
        case .registrations: return (.registrations, FigureFilters(from: since))
        case .openCases: return (.casesOpen, FigureFilters())
        }
    }
}
