import Foundation

/// The administrative areas of Côte d'Ivoire people return to: the two autonomous
/// districts and the 31 regions (grouped in 12 districts), each with its departments.
/// Names are the official French ones; lookups ignore case, accents and hyphens.
public struct OriginRegion: Sendable, Hashable {
    public let district: String
    public let name: String
    public let departments: [String]
}

public enum CoteDIvoire {
    public static let regions: [OriginRegion] = [
        OriginRegion(district: "Abidjan", name: "Abidjan", departments: ["Abidjan"]),
        OriginRegion(district: "Yamoussoukro", name: "Yamoussoukro", departments: ["Yamoussoukro", "Attiégouakro"]),
        OriginRegion(district: "Bas-Sassandra", name: "Gbôklé", departments: ["Sassandra", "Fresco"]),
        OriginRegion(district: "Bas-Sassandra", name: "Nawa", departments: ["Soubré", "Buyo", "Guéyo", "Méagui"]),
        OriginRegion(district: "Bas-Sassandra", name: "San-Pédro", departments: ["San-Pédro", "Tabou"]),
        OriginRegion(district: "Comoé", name: "Indénié-Djuablin", departments: ["Abengourou", "Agnibilékrou", "Bettié"]),
        OriginRegion(district: "Comoé", name: "Sud-Comoé", departments: ["Aboisso", "Adiaké", "Grand-Bassam", "Tiapoum"]),
        OriginRegion(district: "Denguélé", name: "Folon", departments: ["Minignan", "Kaniasso"]),
        OriginRegion(district: "Denguélé", name: "Kabadougou", departments: ["Odienné", "Gbéléban", "Madinani", "Samatiguila", "Séguélon"]),
        OriginRegion(district: "Gôh-Djiboua", name: "Gôh", departments: ["Gagnoa", "Oumé"]),
        OriginRegion(district: "Gôh-Djiboua", name: "Lôh-Djiboua", departments: ["Divo", "Guitry", "Lakota"]),
        OriginRegion(district: "Lacs", name: "Bélier", departments: ["Toumodi", "Didiévi", "Djékanou", "Tiébissou"]),
        OriginRegion(district: "Lacs", name: "Iffou", departments: ["Daoukro", "M'Bahiakro", "Prikro"]),
        OriginRegion(district: "Lacs", name: "Moronou", departments: ["Bongouanou", "Arrah", "M'Batto"]),
        OriginRegion(district: "Lacs", name: "N'Zi", departments: ["Dimbokro", "Bocanda", "Kouassi-Kouassikro"]),
        OriginRegion(district: "Lagunes", name: "Agnéby-Tiassa", departments: ["Agboville", "Sikensi", "Taabo", "Tiassalé"]),
        OriginRegion(district: "Lagunes", name: "Grands-Ponts", departments: ["Dabou", "Grand-Lahou", "Jacqueville"]),
        OriginRegion(district: "Lagunes", name: "La Mé", departments: ["Adzopé", "Akoupé", "Alépé", "Yakassé-Attobrou"]),
        OriginRegion(district: "Montagnes", name: "Cavally", departments: ["Guiglo", "Bloléquin", "Taï", "Toulépleu"]),
        OriginRegion(district: "Montagnes", name: "Guémon", departments: ["Duékoué", "Bangolo", "Facobly", "Kouibly"]),
        OriginRegion(district: "Montagnes", name: "Tonkpi", departments: ["Man", "Biankouma", "Danané", "Sipilou", "Zouan-Hounien"]),
        OriginRegion(district: "Sassandra-Marahoué", name: "Haut-Sassandra", departments: ["Daloa", "Issia", "Vavoua", "Zoukougbeu"]),
        OriginRegion(district: "Sassandra-Marahoué", name: "Marahoué", departments: ["Bouaflé", "Sinfra", "Zuénoula"]),
        OriginRegion(district: "Savanes", name: "Bagoué", departments: ["Boundiali", "Kouto", "Tengréla"]),
        OriginRegion(district: "Savanes", name: "Poro", departments: ["Korhogo", "Dikodougou", "M'Bengué", "Sinématiali"]),
        OriginRegion(district: "Savanes", name: "Tchologo", departments: ["Ferkessédougou", "Kong", "Ouangolodougou"]),
        OriginRegion(district: "Vallée du Bandama", name: "Gbêkê", departments: ["Bouaké", "Béoumi", "Botro", "Sakassou"]),
        OriginRegion(district: "Vallée du Bandama", name: "Hambol", departments: ["Katiola", "Dabakala", "Niakaramadougou"]),
        OriginRegion(district: "Woroba", name: "Béré", departments: ["Mankono", "Dianra", "Kounahiri"]),
        OriginRegion(district: "Woroba", name: "Bafing", departments: ["Touba", "Koro", "Ouaninou"]),
        OriginRegion(district: "Woroba", name: "Worodougou", departments: ["Séguéla", "Kani"]),
        OriginRegion(district: "Zanzan", name: "Bounkani", departments: ["Bouna", "Doropo", "Nassian", "Téhini"]),
        OriginRegion(district: "Zanzan", name: "Gontougo", departments: ["Bondoukou", "Koun-Fao", "Sandégué", "Tanda", "Transua"]),
    ]

    /// Other spellings met in field data.
    static let regionAliases: [String: String] = ["me": "La Mé", "district d abidjan": "Abidjan", "district autonome d abidjan": "Abidjan"]

    private static func key(_ text: String) -> String {
        SearchText.fold(text).replacingOccurrences(of: "-", with: " ")
    }

    private static let regionsByKey: [String: OriginRegion] = Dictionary(uniqueKeysWithValues: regions.map { (key($0.name), $0) })

    /// The region a name designates, whatever its spelling.
    private static let regionsByName: [String: OriginRegion] = Dictionary(uniqueKeysWithValues: regions.map { ($0.name, $0) })

    public static func region(named text: String) -> OriginRegion? {
        if let exact = regionsByName[text] { return exact }
        let wanted = key(text)
        if let region = regionsByKey[wanted] { return region }
        if let alias = regionAliases[wanted] { return regionsByKey[key(alias)] }
        return nil
    }

    /// The canonical spelling of a department of `region`, if it is one of its departments.
    public static func department(named text: String, in region: OriginRegion) -> String? {
        if region.departments.contains(text) { return text }
        let wanted = key(text)
        return region.departments.first { key($0) == wanted }
    }
}
