import Foundation

/// The mission's offices: one table serves the cases' office field, the caseload's filters,
/// the users' office scopes and the public page *Où travaillons-nous*. An office is named by
/// its country's ISO code (`CIV`), as cases and scopes name it.
public struct OfficeDraft: Sendable, Equatable {
    public var code: String
    public var city: String
    public var address: String
    public var email: String
    public var phone: String
    public var descriptions: [Language: String]
    /// Degrees, as typed (`5.32`, `-4.03`); both empty when the office is not placed on the map.
    public var latitude: String
    public var longitude: String
    /// Shown on the public page.
    public var isPublic: Bool

    public init(code: String = "", city: String = "", address: String = "", email: String = "", phone: String = "", descriptions: [Language: String] = [:],
                latitude: String = "", longitude: String = "", isPublic: Bool = true) {
        self.code = code
        self.city = city
        self.address = address
        self.email = email
        self.phone = phone
        self.descriptions = descriptions
        self.latitude = latitude
        self.longitude = longitude
        self.isPublic = isPublic
    }
}

public enum OfficeRules {
    /// Every problem of an office's form; the coordinates read when they are right.
    public static func check(_ draft: OfficeDraft) -> (issues: [FieldIssue], position: MapPoint?) {
        var issues: [FieldIssue] = []
        if !Countries.isKnown(draft.code.uppercased()) || draft.code.count != 3 { issues.append(FieldIssue("code", "office.error.code")) }
        if draft.city.trimmingCharacters(in: .whitespaces).isEmpty { issues.append(FieldIssue("city", "case.error.required")) }
        let email = draft.email.trimmingCharacters(in: .whitespaces)
        if !email.isEmpty, !EmailAddress.isPlausible(email) { issues.append(FieldIssue("email", "account.error.invalid_email")) }
        let latitudeText = draft.latitude.trimmingCharacters(in: .whitespaces), longitudeText = draft.longitude.trimmingCharacters(in: .whitespaces)
        if latitudeText.isEmpty && longitudeText.isEmpty { return (issues, nil) }
        let latitude = Double(latitudeText.replacingOccurrences(of: ",", with: "."))
        let longitude = Double(longitudeText.replacingOccurrences(of: ",", with: "."))
        if latitude == nil || !(-90...90).contains(latitude!) { issues.append(FieldIssue("latitude", "office.error.latitude")) }
        if longitude == nil || !(-180...180).contains(longitude!) { issues.append(FieldIssue("longitude", "office.error.longitude")) }
        guard let latitude, let longitude, (-90...90).contains(latitude), (-180...180).contains(longitude) else { return (issues, nil) }
        return (issues, MapPoint(longitude: longitude, latitude: latitude))
    }
}

/// A place in degrees.
public struct MapPoint: Sendable, Equatable, Hashable {
    public var longitude: Double
    public var latitude: Double
    public init(longitude: Double, latitude: Double) {
        self.longitude = longitude
        self.latitude = latitude
    }
}

/// The offices' map, drawn on the server: an equirectangular view around the offices (at
/// least 44° by 30°, so that one office still shows its region), the coasts of Africa and
/// southern Europe as a simplified outline, a graticule every 10°, and the offices as points.
public struct OfficeMap: Sendable {
    public var width: Double
    public var height: Double
    public var west: Double
    public var east: Double
    public var south: Double
    public var north: Double

    /// The view around `points`, with a margin; Abidjan's region when there is none.
    public init(points: [MapPoint], width: Double = 800) {
        let longitudes = points.map(\.longitude), latitudes = points.map(\.latitude)
        var west = (longitudes.min() ?? -12) - 6, east = (longitudes.max() ?? 4) + 6
        var south = (latitudes.min() ?? -2) - 5, north = (latitudes.max() ?? 12) + 5
        if east - west < 44 { let middle = (east + west) / 2; west = middle - 22; east = middle + 22 }
        if north - south < 30 { let middle = (north + south) / 2; south = middle - 15; north = middle + 15 }
        // Degrees of longitude shorten away from the equator: the view's proportions follow its middle latitude.
        let stretch = max(cos((north + south) / 2 * .pi / 180), 0.3)
        self.west = max(west, -180)
        self.east = min(east, 180)
        self.south = max(south, -85)
        self.north = min(north, 85)
        self.width = width
        self.height = (width * (self.north - self.south) / ((self.east - self.west) * stretch)).rounded()
    }

    /// Where a place falls in the drawing (x to the east, y to the south).
    public func project(_ point: MapPoint) -> (x: Double, y: Double) {
        ((point.longitude - west) / (east - west) * width, (north - point.latitude) / (north - south) * height)
    }

    /// An SVG path of a closed outline (`M x y L … Z`), coordinates to one decimal.
    public func path(_ outline: [MapPoint]) -> String {
        guard let first = outline.first else { return "" }
        let start = project(first)
        var text = "M\(Self.decimal(start.x)) \(Self.decimal(start.y))"
        for point in outline.dropFirst() {
            let (x, y) = project(point)
            text += "L\(Self.decimal(x)) \(Self.decimal(y))"
        }
        return text + "Z"
    }

    /// The meridians and parallels every 10° inside the view.
    public var graticule: (meridians: [Double], parallels: [Double]) {
        (stride(from: (west / 10).rounded(.up) * 10, through: east, by: 10).map { $0 },
         stride(from: (south / 10).rounded(.up) * 10, through: north, by: 10).map { $0 })
    }

    public static func decimal(_ value: Double) -> String { String(format: "%.1f", value) }

    /// Simplified coasts, drawn for this map by hand from the major capes and ports (a few
    /// dozen points each): enough to place an office, not a reference map.
    public static let outlines: [[MapPoint]] = [africa, westernEurope, arabia].map { $0.map { MapPoint(longitude: $0.0, latitude: $0.1) } }

    static let africa: [(Double, Double)] = [
        (-5.9, 35.8), (-6.9, 34.0), (-9.6, 30.4), (-11.5, 28.0), (-13.2, 27.6), (-15.9, 23.7), (-17.1, 20.9), (-16.2, 19.0), (-16.5, 16.0),
        (-17.5, 14.7), (-16.8, 13.4), (-16.7, 12.3), (-15.5, 11.3), (-14.6, 10.2), (-13.7, 9.5), (-13.2, 8.5), (-12.4, 7.3), (-11.4, 6.8),
        (-10.8, 6.3), (-9.4, 5.2), (-7.5, 4.4), (-5.9, 5.0), (-4.0, 5.2), (-2.0, 4.8), (-0.2, 5.5), (1.2, 6.1), (2.4, 6.3), (3.4, 6.4),
        (4.6, 6.2), (5.6, 5.0), (6.1, 4.3), (7.0, 4.4), (8.3, 4.6), (9.3, 3.9), (9.8, 2.6), (9.4, 1.0), (9.3, -0.4), (10.5, -2.3),
        (11.8, -4.2), (12.3, -6.1), (13.3, -8.8), (13.7, -11.0), (12.3, -15.1), (11.8, -17.3), (13.1, -20.3), (14.5, -22.9), (15.2, -26.7),
        (16.5, -28.6), (18.1, -31.6), (18.4, -34.1), (20.0, -34.8), (22.1, -34.1), (25.6, -34.0), (27.9, -33.0), (30.0, -31.3), (31.0, -29.9),
        (32.4, -28.5), (32.9, -26.0), (33.6, -25.2), (35.5, -24.1), (35.4, -21.9), (34.8, -19.8), (36.8, -17.9), (39.1, -16.6), (40.6, -15.0),
        (40.5, -12.0), (40.4, -10.5), (39.3, -6.8), (39.2, -4.7), (40.1, -3.3), (41.6, -1.7), (43.5, 0.6), (45.3, 2.0), (47.9, 4.5),
        (49.6, 7.5), (51.3, 10.4), (51.2, 11.8), (49.0, 11.3), (45.0, 10.4), (43.3, 11.6), (42.6, 13.0), (41.2, 14.4), (39.5, 15.6),
        (38.5, 17.9), (37.2, 19.6), (36.2, 22.0), (35.5, 23.9), (34.1, 26.1), (33.6, 27.3), (32.6, 29.9), (32.3, 31.3), (31.0, 31.6),
        (29.9, 31.2), (27.2, 31.4), (25.2, 31.6), (23.0, 32.3), (21.0, 32.8), (20.1, 32.1), (19.0, 30.3), (17.5, 31.0), (15.6, 31.5),
        (15.2, 32.3), (13.2, 32.9), (11.5, 33.2), (10.9, 33.8), (10.5, 35.0), (11.1, 36.9), (10.2, 37.2), (9.5, 37.3), (8.6, 36.9),
        (7.1, 36.9), (5.3, 36.6), (3.0, 36.8), (1.0, 36.5), (-0.6, 35.8), (-2.2, 35.1), (-3.9, 35.2), (-5.3, 35.9),
    ]

    static let westernEurope: [(Double, Double)] = [
        (-8.9, 43.2), (-8.8, 42.0), (-8.7, 40.6), (-9.4, 38.8), (-8.8, 37.9), (-8.9, 37.0), (-7.4, 37.2), (-6.3, 36.5), (-5.6, 36.0),
        (-4.4, 36.7), (-2.1, 36.7), (-0.5, 38.3), (0.2, 39.9), (0.9, 41.0), (3.2, 41.9), (3.1, 43.1), (4.8, 43.4), (6.2, 43.1),
        (7.5, 43.8), (8.9, 44.4), (10.2, 43.9), (11.1, 42.4), (12.5, 41.7), (14.3, 40.8), (15.6, 40.1), (15.7, 38.2), (16.1, 38.0),
        (17.1, 39.0), (16.6, 39.6), (17.2, 40.4), (18.5, 40.1), (17.9, 40.7), (16.0, 41.4), (14.7, 42.1), (13.6, 43.6), (12.3, 44.5),
        (12.3, 45.4), (13.8, 45.6), (14.5, 45.2), (15.2, 44.2), (16.4, 43.5), (18.1, 42.6), (19.4, 41.8), (19.4, 40.3), (20.2, 39.6),
        (21.1, 38.3), (21.7, 36.8), (22.5, 36.4), (23.2, 37.9), (24.0, 38.2), (22.9, 40.5), (24.4, 40.9), (26.0, 40.8), (26.0, 46.0),
        (16.0, 48.5), (14.0, 54.0), (11.0, 54.0), (8.6, 53.9), (6.9, 53.4), (4.7, 52.9), (4.0, 51.9), (2.5, 51.1), (1.6, 50.9),
        (0.2, 49.7), (-1.6, 49.6), (-1.9, 48.7), (-4.5, 48.4), (-4.2, 47.8), (-2.5, 47.3), (-1.2, 46.2), (-1.2, 44.6), (-1.8, 43.4),
        (-3.8, 43.5), (-6.0, 43.6), (-8.0, 43.7),
    ]

    static let arabia: [(Double, Double)] = [
        (32.3, 31.3), (34.2, 31.3), (34.9, 29.5), (36.6, 26.0), (38.3, 23.9), (39.2, 21.5), (40.9, 19.0), (42.7, 16.5), (43.3, 12.7),
        (45.0, 12.8), (48.7, 14.0), (52.2, 15.7), (55.4, 17.8), (57.8, 18.9), (59.8, 22.5), (56.4, 24.9), (56.0, 26.2), (54.0, 24.1),
        (51.6, 24.2), (50.8, 25.6), (50.1, 26.7), (48.4, 28.5), (47.9, 30.0), (44.0, 32.5), (40.0, 34.5), (36.2, 36.6), (35.9, 35.0),
        (35.0, 33.0),
    ]
}
