import Foundation
import Logging
import PlatformServices

/// Generates the sample studies and ingests them like any other instance.
enum DemoStudiesSeeding {
    /// Returns the patient key of the demo patient account.
    static func seedStudies(store: PlatformStore, folder: URL, hospitalID: String, logger: Logger) async throws -> String {
        // Filled in when the generator lands.
        "\(hospitalID)/P0001"
    }
}
