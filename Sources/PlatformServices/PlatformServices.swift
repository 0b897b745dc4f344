import DicomCore
import ImagingKit

/// Accounts, auth, the study index, ingest, sharing, storage and PACS links, one folder per domain.
///
/// Filled by the platform issue.
public enum PlatformServices {}
