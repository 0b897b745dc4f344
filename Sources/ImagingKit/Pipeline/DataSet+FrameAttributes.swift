import DicomCore

/// The functional group sequences of enhanced multi-frame images (PS3.3 §C.7.6.16) and the macros ImagingKit reads
/// from them.
extension Tag {
    /// Shared Functional Groups Sequence (5200,9229): macros that hold for every frame.
    static let sharedFunctionalGroupsSequence = Tag(0x5200, 0x9229)
    /// Per-frame Functional Groups Sequence (5200,9230): one item per frame, in frame order.
    static let perFrameFunctionalGroupsSequence = Tag(0x5200, 0x9230)
    static let pixelMeasuresSequence = Tag(0x0028, 0x9110)
    static let planePositionSequence = Tag(0x0020, 0x9113)
    static let planeOrientationSequence = Tag(0x0020, 0x9116)
    static let pixelValueTransformationSequence = Tag(0x0028, 0x9145)
    static let frameVOILUTSequence = Tag(0x0028, 0x9132)
    static let spacingBetweenSlices = Tag(0x0018, 0x0088)
    static let ctXRayDetailsSequence = Tag(0x0018, 0x9325)
    static let ctExposureSequence = Tag(0x0018, 0x9321)
    static let mrTimingAndRelatedParametersSequence = Tag(0x0018, 0x9112)
    static let mrEchoSequence = Tag(0x0018, 0x9114)
}

extension DataSet {
    /// Each functional group macro ImagingKit reads, with the attributes it stands in for at the top level.
    /// A macro that is present replaces all of its attributes (a frame's window never mixes with the top level's).
    static let frameMacros: [(sequence: Tag, attributes: [Tag])] = [
        // Pixel Measures (§C.7.6.16.2.1)
        (.pixelMeasuresSequence, [.pixelSpacing, .sliceThickness, .spacingBetweenSlices]),
        // Plane Position (Patient) (§C.7.6.16.2.3) and Plane Orientation (Patient) (§C.7.6.16.2.4)
        (.planePositionSequence, [.imagePositionPatient]),
        (.planeOrientationSequence, [.imageOrientationPatient]),
        // Pixel Value Transformation (§C.7.6.16.2.9); a Modality LUT Sequence in it is read too
        (.pixelValueTransformationSequence, [.rescaleIntercept, .rescaleSlope, .rescaleType, .modalityLUTSequence]),
        // Frame VOI LUT (§C.7.6.16.2.10), with or without a VOI LUT Sequence
        (.frameVOILUTSequence, [.windowCenter, .windowWidth, .windowCenterWidthExplanation, .voiLUTFunction, .voiLUTSequence]),
        // CT X-Ray Details (§C.8.15.3.7) and CT Exposure (§C.8.15.3.8): the corners' kVp and mAs
        (.ctXRayDetailsSequence, [.kvp]),
        (.ctExposureSequence, [.exposureInMAs]),
        // MR Timing and Related Parameters (§C.8.13.5.2) and MR Echo (§C.8.13.5.3): the corners' TR and TE
        (.mrTimingAndRelatedParametersSequence, [.repetitionTime]),
        (.mrEchoSequence, [.effectiveEchoTime]),
    ]

    /// Whether the data set carries functional groups (an enhanced multi-frame image, PS3.3 §C.7.6.16).
    public var hasFunctionalGroups: Bool {
        contains(.sharedFunctionalGroupsSequence) || contains(.perFrameFunctionalGroupsSequence)
    }

    /// The data set as frame `index` (0-based) sees it: the attributes of the Pixel Measures, Plane Position,
    /// Plane Orientation, Pixel Value Transformation and Frame VOI LUT functional groups (and the CT X-Ray Details,
    /// CT Exposure, MR Timing and MR Echo groups that ``AcquisitionParameters`` reads) — from the Shared Functional
    /// Groups Sequence, then from the frame's item of the Per-frame Functional Groups Sequence, which wins — set at
    /// the top level, where ``ModalityLUT``, ``VOITransform/available(in:)``, ``PixelSpacing`` and
    /// ``PatientGeometry`` read them. A data set without functional groups is returned as it is; an index past the
    /// per-frame items gets the shared groups only.
    ///
    /// ```swift
    /// let frame3 = file.dataSet.frameAttributes(2)
    /// let pipeline = try RenderPipeline(frame3)   // frame 3's rescale and window
    /// let spacing = PixelSpacing(frame3)          // frame 3's Pixel Spacing
    /// ```
    public func frameAttributes(_ index: Int) -> DataSet {
        guard hasFunctionalGroups else { return self }
        var groups: [DataSet] = []
        if let shared = sequence(.sharedFunctionalGroupsSequence)?.first { groups.append(shared) }
        if let perFrame = sequence(.perFrameFunctionalGroupsSequence), index >= 0, index < perFrame.count { groups.append(perFrame[index]) }
        var out = self
        for group in groups {
            for (sequenceTag, attributes) in Self.frameMacros {
                guard let macro = group.sequence(sequenceTag)?.first else { continue }
                for tag in attributes {
                    _ = out.remove(tag)
                    if let element = macro[tag] { out.set(element) }
                }
            }
        }
        return out
    }
}
