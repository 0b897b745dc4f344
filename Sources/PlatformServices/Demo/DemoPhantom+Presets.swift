/// The phantoms of the demo studies. Their numbers are the documentation: tests and browser tests read them from here
/// (or from `catalog.json`), never from a copy.
extension DemoPhantom {
    /// Chest CT: 240 axial slices of 512×512, 0.7 × 0.7 mm pixels, 1.25 mm apart (slice 0 is the most cranial, at
    /// z = 0; slice k is at z = −1.25·k). Stored as signed 16-bit samples with Rescale Intercept −1024: stored = HU + 1024.
    ///
    /// Air −1000 outside the body; subcutaneous fat −100; soft tissue 40; two lungs of exactly −855 HU (ellipsoids,
    /// so their apices and bases show on coronal and sagittal reformats); heart 50; aorta 45; trachea (air) on
    /// slices 0–90; sternum 400; vertebral body 700; spinal canal 15; liver 60 and left upper abdomen 40 rising into
    /// the lung bases from slice 200; and a solid nodule of 30 HU, radius 6 px (4.2 mm), in the right lung on slices
    /// 116–124, centred on column 150, row 200, slice 120.
    public static let chestCT: DemoPhantom = {
        let all = Extent.slices(0...239)
        return DemoPhantom(
            name: "chest CT", columns: 512, rows: 512, slices: 240, rowSpacing: 0.7, columnSpacing: 0.7, sliceSpacing: 1.25,
            unit: "HU", background: -1000,
            regions: [
                Region("subcutaneous fat", value: -100, center: (256, 256), semiAxes: (230, 170), extent: all),
                Region("soft tissue", value: 40, center: (256, 256), semiAxes: (215, 155), extent: all),
                Region("right lung", value: -855, center: (160, 235), semiAxes: (62, 100), extent: .ellipsoid(centerSlice: 150, semiAxisSlices: 145)),
                Region("left lung", value: -855, center: (356, 235), semiAxes: (58, 96), extent: .ellipsoid(centerSlice: 150, semiAxisSlices: 145)),
                Region("liver", value: 60, center: (175, 250), semiAxes: (120, 110), extent: .ellipsoid(centerSlice: 260, semiAxisSlices: 60)),
                Region("left upper abdomen", value: 40, center: (350, 245), semiAxes: (90, 100), extent: .ellipsoid(centerSlice: 270, semiAxisSlices: 50)),
                Region("heart", value: 50, center: (270, 255), semiAxes: (40, 52), extent: .ellipsoid(centerSlice: 165, semiAxisSlices: 55)),
                Region("aorta", value: 45, center: (296, 322), semiAxes: (14, 14), extent: .slices(40...239)),
                Region("trachea", value: -1000, center: (256, 180), semiAxes: (10, 9), extent: .slices(0...90)),
                Region("sternum", value: 400, center: (256, 116), semiAxes: (16, 7), extent: .slices(20...200)),
                Region("vertebral body", value: 700, center: (256, 362), semiAxes: (24, 20), extent: all),
                Region("spinal canal", value: 15, center: (256, 392), semiAxes: (9, 8), extent: all),
                Region("nodule", value: 30, center: (150, 200), semiAxes: (6, 6), extent: .ellipsoid(centerSlice: 120, semiAxisSlices: 4)),
            ],
            landmarks: [
                Landmark("air", column: 10, row: 10, slice: 120, value: -1000),
                Landmark("subcutaneous fat", column: 256, row: 94, slice: 120, value: -100),
                Landmark("soft tissue", column: 60, row: 256, slice: 120, value: 40),
                Landmark("right lung", column: 160, row: 260, slice: 120, value: -855),
                Landmark("left lung", column: 356, row: 235, slice: 120, value: -855),
                Landmark("nodule", column: 150, row: 200, slice: 120, value: 30),
                Landmark("heart", column: 270, row: 255, slice: 165, value: 50),
                Landmark("aorta", column: 296, row: 322, slice: 120, value: 45),
                Landmark("trachea", column: 256, row: 180, slice: 40, value: -1000),
                Landmark("sternum", column: 256, row: 116, slice: 120, value: 400),
                Landmark("vertebral body", column: 256, row: 362, slice: 120, value: 700),
                Landmark("spinal canal", column: 256, row: 392, slice: 120, value: 15),
                Landmark("liver", column: 175, row: 250, slice: 239, value: 60),
            ],
            rescaleIntercept: -1024, bitsStored: 16, isSigned: true)
    }()

    /// Brain MR, T1-weighted: 24 axial slices of 256×256, 0.9375 mm pixels, 5 mm apart, unsigned 12-bit values
    /// (no rescale). Nested ellipsoids: scalp 900, skull 60, CSF 250, grey matter 600, white matter 820, two lateral
    /// ventricles 250 (slices 7–15), eyes 200 (slices 0–3). Slice 0 is the most caudal.
    public static let brainMRT1 = brainMR(name: "brain MR T1", scalp: 900, skull: 60, csf: 250, grey: 600, white: 820, eye: 200)

    /// Brain MR, T2-weighted: the geometry of `brainMRT1` with T2 contrast (CSF 1800, grey 900, white 650, scalp 600,
    /// skull 40, eyes 1700).
    public static let brainMRT2 = brainMR(name: "brain MR T2", scalp: 600, skull: 40, csf: 1800, grey: 900, white: 650, eye: 1700)

    private static func brainMR(name: String, scalp: Int, skull: Int, csf: Int, grey: Int, white: Int, eye: Int) -> DemoPhantom {
        DemoPhantom(
            name: name, columns: 256, rows: 256, slices: 24, rowSpacing: 0.9375, columnSpacing: 0.9375, sliceSpacing: 5,
            unit: "", background: 0,
            regions: [
                Region("scalp", value: scalp, center: (128, 128), semiAxes: (86, 104), extent: .ellipsoid(centerSlice: 6, semiAxisSlices: 20)),
                Region("skull", value: skull, center: (128, 128), semiAxes: (80, 98), extent: .ellipsoid(centerSlice: 6, semiAxisSlices: 19)),
                Region("cerebrospinal fluid", value: csf, center: (128, 128), semiAxes: (74, 92), extent: .ellipsoid(centerSlice: 6, semiAxisSlices: 18)),
                Region("grey matter", value: grey, center: (128, 128), semiAxes: (71, 89), extent: .ellipsoid(centerSlice: 6, semiAxisSlices: 17)),
                Region("white matter", value: white, center: (128, 130), semiAxes: (56, 72), extent: .ellipsoid(centerSlice: 7, semiAxisSlices: 14)),
                Region("right lateral ventricle", value: csf, center: (116, 122), semiAxes: (7, 24), extent: .ellipsoid(centerSlice: 11, semiAxisSlices: 4)),
                Region("left lateral ventricle", value: csf, center: (140, 122), semiAxes: (7, 24), extent: .ellipsoid(centerSlice: 11, semiAxisSlices: 4)),
                Region("right eye", value: eye, center: (100, 40), semiAxes: (13, 13), extent: .ellipsoid(centerSlice: 1, semiAxisSlices: 2)),
                Region("left eye", value: eye, center: (156, 40), semiAxes: (13, 13), extent: .ellipsoid(centerSlice: 1, semiAxisSlices: 2)),
            ],
            landmarks: [
                Landmark("air", column: 5, row: 5, slice: 11, value: 0),
                Landmark("scalp", column: 128, row: 30, slice: 11, value: scalp),
                Landmark("grey matter", column: 128, row: 210, slice: 11, value: grey),
                Landmark("white matter", column: 128, row: 175, slice: 11, value: white),
                Landmark("right lateral ventricle", column: 116, row: 122, slice: 11, value: csf),
                Landmark("right eye", column: 100, row: 40, slice: 1, value: eye),
            ],
            rescaleIntercept: 0, bitsStored: 12, isSigned: false)
    }

    /// Chest radiograph (DX, PA): one 2048×2048 image, 0.2 mm imager pixels, unsigned 12-bit, written MONOCHROME1
    /// (low values display white). Direct exposure 3900, body 2300, lungs 3200, mediastinum 2100, heart 2000,
    /// neck and shoulders 2300, diaphragm domes (abdomen below them) 2250, spine 1500, trachea 2900, clavicles 1300, humeral heads 1400.
    public static let chestDX = DemoPhantom(
        name: "chest DX", columns: 2048, rows: 2048, slices: 1, rowSpacing: 0.2, columnSpacing: 0.2, sliceSpacing: 0,
        unit: "", background: 3900,
        regions: [
            Region("body", value: 2300, center: (1024, 1120), semiAxes: (880, 1000), extent: .slices(0...0)),
            Region("neck", value: 2300, center: (1024, 120), semiAxes: (190, 260), extent: .slices(0...0)),
            Region("right shoulder", value: 2300, center: (260, 640), semiAxes: (280, 300), extent: .slices(0...0)),
            Region("left shoulder", value: 2300, center: (1788, 640), semiAxes: (280, 300), extent: .slices(0...0)),
            Region("right lung", value: 3200, center: (700, 950), semiAxes: (270, 620), extent: .slices(0...0)),
            Region("left lung", value: 3200, center: (1350, 950), semiAxes: (250, 600), extent: .slices(0...0)),
            Region("mediastinum", value: 2100, center: (1024, 820), semiAxes: (120, 520), extent: .slices(0...0)),
            Region("heart", value: 2000, center: (1150, 1280), semiAxes: (300, 320), extent: .slices(0...0)),
            Region("right hemidiaphragm", value: 2250, center: (680, 1700), semiAxes: (320, 200), extent: .slices(0...0)),
            Region("left hemidiaphragm", value: 2250, center: (1360, 1720), semiAxes: (300, 190), extent: .slices(0...0)),
            Region("spine", value: 1500, center: (1024, 1150), semiAxes: (58, 1400), extent: .slices(0...0)),
            Region("trachea", value: 2900, center: (1024, 560), semiAxes: (30, 260), extent: .slices(0...0)),
            Region("right clavicle", value: 1300, center: (760, 400), semiAxes: (260, 30), extent: .slices(0...0)),
            Region("left clavicle", value: 1300, center: (1288, 400), semiAxes: (260, 30), extent: .slices(0...0)),
            Region("right humeral head", value: 1400, center: (200, 560), semiAxes: (100, 120), extent: .slices(0...0)),
            Region("left humeral head", value: 1400, center: (1848, 560), semiAxes: (100, 120), extent: .slices(0...0)),
        ],
        landmarks: [
            Landmark("direct exposure", column: 20, row: 20, slice: 0, value: 3900),
            Landmark("right lung", column: 600, row: 900, slice: 0, value: 3200),
            Landmark("heart", column: 1150, row: 1300, slice: 0, value: 2000),
            Landmark("spine", column: 1024, row: 1500, slice: 0, value: 1500),
            Landmark("right clavicle", column: 760, row: 400, slice: 0, value: 1300),
        ],
        rescaleIntercept: 0, bitsStored: 12, isSigned: false)

    /// Right hand radiograph (CR, PA, thumb on the image's left as seen from the tube): one image of 1100 columns ×
    /// 1400 rows, 0.15 mm imager pixels, unsigned 12-bit, MONOCHROME2. Background 150, soft tissue 1000, bones 2400
    /// (radius, ulna, metacarpals, phalanges), carpals 2200.
    public static let handCR: DemoPhantom = {
        let one = Extent.slices(0...0)
        var soft: [Region] = [
            Region("forearm", value: 1000, center: (560, 1330), semiAxes: (190, 260), extent: one),
            Region("palm", value: 1000, center: (560, 900), semiAxes: (260, 230), extent: one),
            Region("thenar eminence", value: 1000, center: (300, 930), semiAxes: (120, 140), extent: one),
        ]
        var bones: [Region] = [
            Region("radius", value: 2400, center: (470, 1330), semiAxes: (55, 250), extent: one),
            Region("ulna", value: 2400, center: (660, 1340), semiAxes: (45, 250), extent: one),
        ]
        // (name, centre column, centre row, semi-axis across, semi-axis along): phalanges at fixed fractions of the digit.
        let digits: [(String, Int, Int, Int, Int)] = [
            ("thumb", 200, 820, 55, 170), ("index finger", 345, 500, 46, 235), ("middle finger", 480, 440, 48, 270),
            ("ring finger", 620, 470, 46, 250), ("little finger", 755, 560, 42, 190),
        ]
        for (name, x, y, across, along) in digits {
            soft.append(Region(name, value: 1000, center: (x, y), semiAxes: (across, along), extent: one))
            let isThumb = name == "thumb"
            bones.append(Region("\(name) metacarpal", value: 2400, center: (x, isThumb ? y + along - 20 : 900), semiAxes: (isThumb ? 20 : 18, isThumb ? 90 : 120), extent: one))
            bones.append(Region("\(name) proximal phalanx", value: 2400, center: (x, y + along * 35 / 100), semiAxes: (14, along * 28 / 100), extent: one))
            if !isThumb {
                bones.append(Region("\(name) middle phalanx", value: 2400, center: (x, y - along * 20 / 100), semiAxes: (13, along * 22 / 100), extent: one))
            }
            bones.append(Region("\(name) distal phalanx", value: 2400, center: (x, y - along * 65 / 100), semiAxes: (12, along * 17 / 100), extent: one))
        }
        let carpals = [(470, 1100), (545, 1090), (620, 1095), (690, 1110)].enumerated().map { index, centre in
            Region("carpal \(index + 1)", value: 2200, center: (centre.0, centre.1), semiAxes: (38, 34), extent: one)
        }
        return DemoPhantom(
            name: "hand CR", columns: 1100, rows: 1400, slices: 1, rowSpacing: 0.15, columnSpacing: 0.15, sliceSpacing: 0,
            unit: "", background: 150, regions: soft + bones + carpals,
            landmarks: [
                Landmark("background", column: 20, row: 20, slice: 0, value: 150),
                Landmark("palm soft tissue", column: 560, row: 760, slice: 0, value: 1000),
                Landmark("middle finger metacarpal", column: 480, row: 900, slice: 0, value: 2400),
                Landmark("radius", column: 470, row: 1330, slice: 0, value: 2400),
            ],
            rescaleIntercept: 0, bitsStored: 12, isSigned: false)
    }()
}
