import DicomCore

/// The pixel pipeline (Modality LUT, VOI, presentation, palette), geometry, filters, measurements and image encoders.
///
/// Filled by the ImagingKit issue; pure functions over decoded frames, as portable as DicomCore.
public enum ImagingKit {}
