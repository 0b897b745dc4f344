import DicomCore

/// The fixed script of the demo: who, where, what and when. Everything `DemoStudies` writes derives from these values
/// and from the phantoms, so every run writes the same bytes.
struct DemoPlan: Sendable {
    /// One series to acquire.
    struct Series: Sendable {
        enum Kind: Sendable { case ct, mr, dx, cr }
        var kind: Kind
        var number: Int
        var description: String
        var phantom: DemoPhantom
        var syntax: TransferSyntax
    }

    /// A signed report.
    struct Report: Sendable {
        var findings: [String]
        var impression: [String]
        /// Reporting and reviewing physicians, as DICOM PN (alphabetic=ideographic).
        var reportingPhysician: String
        var reviewingPhysician: String
        /// Report date (DA) and time (TM).
        var date: String
        var time: String
        /// Also write the PDF as an Encapsulated PDF instance.
        var encapsulate: Bool
    }

    /// One exam (order).
    struct Exam: Sendable {
        var accessionNumber: String
        var patientID: String
        var hospitalID: String
        var requestingDepartment: String
        var requestingDepartmentEnglish: String
        var performingDepartment = "放射科"
        var referringPhysician: String
        var visitType: DemoVisitType
        var admissionID: String?
        var status: DemoExamStatus
        var modality: String
        var bodyPart: String
        /// Body part as printed on the report.
        var bodyPartLabel: String
        var studyDescription: String
        /// Scheduled (and, once imaged, study) date and time, DA and TM.
        var date: String
        var time: String
        var series: [Series]
        var report: Report?
    }

    static let hospitals = [
        DemoHospital(id: "demo-general", name: "演示总医院", englishName: "Demo General Hospital"),
        DemoHospital(id: "east-city", name: "城东人民医院", englishName: "East City People's Hospital"),
    ]

    static let patients = [
        DemoPatient(patientID: "DEMO0001", dicomName: "Zhang^San=张^三", chineseName: "张三", pinyinName: "Zhang San", sex: "M", birthDate: "19680315", specificCharacterSet: "GB18030"),
        DemoPatient(patientID: "DEMO0002", dicomName: "Li^Si=李^四", chineseName: "李四", pinyinName: "Li Si", sex: "M", birthDate: "19750722", specificCharacterSet: "ISO_IR 192"),
        DemoPatient(patientID: "DEMO0003", dicomName: "Wang^Fang=王^芳", chineseName: "王芳", pinyinName: "Wang Fang", sex: "F", birthDate: "19821105", specificCharacterSet: "GB18030"),
        DemoPatient(patientID: "DEMO0004", dicomName: "Zhao^Min=赵^敏", chineseName: "赵敏", pinyinName: "Zhao Min", sex: "F", birthDate: "19960214", specificCharacterSet: "ISO_IR 192"),
        DemoPatient(patientID: "DEMO0005", dicomName: "Chen^Wei=陈^伟", chineseName: "陈伟", pinyinName: "Chen Wei", sex: "M", birthDate: "19590930", specificCharacterSet: "GB18030"),
    ]

    static let explicitLE = TransferSyntax.explicitVRLittleEndian
    static let jpegLSLossless = TransferSyntax(uid: "1.2.840.10008.1.2.4.80")
    static let rleLossless = TransferSyntax(uid: "1.2.840.10008.1.2.5")
    static let jpegLosslessSV1 = TransferSyntax(uid: "1.2.840.10008.1.2.4.70")
    static let jpeg2000Lossless = TransferSyntax(uid: "1.2.840.10008.1.2.4.90")

    static let exams: [Exam] = [
        Exam(accessionNumber: "CT20261102001", patientID: "DEMO0001", hospitalID: "demo-general",
             requestingDepartment: "呼吸内科", requestingDepartmentEnglish: "Respiratory Medicine", referringPhysician: "Sun^Li=孙^丽",
             visitType: .inpatient, admissionID: "ZY2026110017", status: .report, modality: "CT", bodyPart: "CHEST", bodyPartLabel: "胸部 Chest",
             studyDescription: "胸部CT平扫 Chest CT", date: "20261102", time: "093000",
             series: [Series(kind: .ct, number: 1, description: "胸部平扫 1.25mm Chest axial", phantom: .chestCT, syntax: explicitLE)],
             report: Report(
                findings: [
                    "胸廓对称，气管居中。右肺中叶见一类圆形实性结节，边缘光滑，直径约8 mm，CT值约30 HU。",
                    "双肺其余肺野清晰，未见实变及间质改变，肺实质CT值约-855 HU。双侧肺门不大，纵隔居中，心影大小正常，主动脉未见增宽，纵隔内未见肿大淋巴结。",
                    "双侧胸腔未见积液。胸骨及所见胸椎骨质未见异常。",
                ],
                impression: [
                    "1. 右肺中叶实性小结节（约8 mm），建议3个月后复查胸部CT。",
                    "2. 余胸部CT平扫未见明显异常。",
                ],
                reportingPhysician: "Liu^Yang=刘^洋", reviewingPhysician: "Wang^Qiang=王^强", date: "20261102", time: "110500", encapsulate: true)),
        Exam(accessionNumber: "CT20261207001", patientID: "DEMO0001", hospitalID: "demo-general",
             requestingDepartment: "呼吸内科", requestingDepartmentEnglish: "Respiratory Medicine", referringPhysician: "Sun^Li=孙^丽",
             visitType: .inpatient, admissionID: "ZY2026110017", status: .scheduled, modality: "CT", bodyPart: "CHEST", bodyPartLabel: "胸部 Chest",
             studyDescription: "胸部CT平扫复查 Chest CT follow-up", date: "20261207", time: "100000", series: [], report: nil),
        Exam(accessionNumber: "MR20261110001", patientID: "DEMO0002", hospitalID: "demo-general",
             requestingDepartment: "神经内科", requestingDepartmentEnglish: "Neurology", referringPhysician: "Huang^Tao=黄^涛",
             visitType: .outpatient, status: .report, modality: "MR", bodyPart: "HEAD", bodyPartLabel: "头颅 Head",
             studyDescription: "头颅MR平扫 Brain MR", date: "20261110", time: "142000",
             series: [Series(kind: .mr, number: 1, description: "轴位T1 Axial T1 SE", phantom: .brainMRT1, syntax: jpegLSLossless)],
             report: Report(
                findings: [
                    "双侧大脑半球对称，灰白质分界清楚，脑实质内未见异常信号。",
                    "脑室系统大小、形态正常，中线结构居中。脑沟、脑裂未见增宽。双侧眼眶及所见颅骨、头皮软组织未见异常。",
                ],
                impression: ["颅脑MR平扫未见明显异常。"],
                reportingPhysician: "Chen^Jing=陈^静", reviewingPhysician: "Wang^Qiang=王^强", date: "20261110", time: "163000", encapsulate: false)),
        Exam(accessionNumber: "MR20261124001", patientID: "DEMO0002", hospitalID: "demo-general",
             requestingDepartment: "神经内科", requestingDepartmentEnglish: "Neurology", referringPhysician: "Huang^Tao=黄^涛",
             visitType: .outpatient, status: .imaging, modality: "MR", bodyPart: "HEAD", bodyPartLabel: "头颅 Head",
             studyDescription: "头颅MR复查 Brain MR follow-up", date: "20261124", time: "150500",
             series: [Series(kind: .mr, number: 1, description: "轴位T2 Axial T2 FSE", phantom: .brainMRT2, syntax: rleLossless)],
             report: nil),
        Exam(accessionNumber: "DX20261118001", patientID: "DEMO0003", hospitalID: "east-city",
             requestingDepartment: "体检中心", requestingDepartmentEnglish: "Health Check Center", referringPhysician: "Wu^Gang=吴^刚",
             visitType: .physicalExamination, status: .report, modality: "DX", bodyPart: "CHEST", bodyPartLabel: "胸部 Chest",
             studyDescription: "胸部正位DR Chest PA", date: "20261118", time: "084000",
             series: [Series(kind: .dx, number: 1, description: "胸部正位 Chest PA", phantom: .chestDX, syntax: jpegLosslessSV1)],
             report: Report(
                findings: ["胸廓对称，双肺纹理清晰，未见实变影及结节影。双侧肺门不大。心影大小、形态正常。双侧膈面光整，肋膈角锐利。"],
                impression: ["心肺膈未见明显异常。"],
                reportingPhysician: "Zhou^Lin=周^林", reviewingPhysician: "Ma^Hui=马^慧", date: "20261118", time: "101500", encapsulate: false)),
        Exam(accessionNumber: "CR20261121001", patientID: "DEMO0004", hospitalID: "east-city",
             requestingDepartment: "急诊科", requestingDepartmentEnglish: "Emergency", referringPhysician: "Xu^Ming=徐^明",
             visitType: .emergency, status: .report, modality: "CR", bodyPart: "HAND", bodyPartLabel: "右手 Right hand",
             studyDescription: "右手正位 Right hand PA", date: "20261121", time: "221500",
             series: [Series(kind: .cr, number: 1, description: "右手正位 Right hand PA", phantom: .handCR, syntax: jpeg2000Lossless)],
             report: Report(
                findings: ["右手诸骨骨质连续，未见明确骨折线及脱位征象。诸关节间隙正常，关节面光整。周围软组织未见明显肿胀。"],
                impression: ["右手X线片未见明显骨折。建议结合临床，必要时复查。"],
                reportingPhysician: "Zhou^Lin=周^林", reviewingPhysician: "Ma^Hui=马^慧", date: "20261121", time: "224000", encapsulate: false)),
        Exam(accessionNumber: "DX20261121002", patientID: "DEMO0004", hospitalID: "east-city",
             requestingDepartment: "急诊科", requestingDepartmentEnglish: "Emergency", referringPhysician: "Xu^Ming=徐^明",
             visitType: .emergency, status: .imaging, modality: "DX", bodyPart: "CHEST", bodyPartLabel: "胸部 Chest",
             studyDescription: "胸部正位DR Chest PA", date: "20261121", time: "223000",
             series: [Series(kind: .dx, number: 1, description: "胸部正位 Chest PA", phantom: .chestDX, syntax: .deflatedExplicitVRLittleEndian)],
             report: nil),
        Exam(accessionNumber: "MR20261203001", patientID: "DEMO0005", hospitalID: "east-city",
             requestingDepartment: "骨科", requestingDepartmentEnglish: "Orthopaedics", referringPhysician: "Xu^Ming=徐^明",
             visitType: .outpatient, status: .scheduled, modality: "MR", bodyPart: "KNEE", bodyPartLabel: "左膝 Left knee",
             studyDescription: "左膝关节MR平扫 Left knee MR", date: "20261203", time: "090000", series: [], report: nil),
    ]
}
