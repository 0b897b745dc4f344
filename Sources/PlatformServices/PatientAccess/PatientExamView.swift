/// One exam as a patient (or a share's recipient) sees it: the name partly hidden, the exam's basic facts and its
/// three status steps with times where known.
public struct PatientExamView: Sendable, Hashable, Codable {
    /// One step of scheduled → imaging → report.
    public struct Step: Sendable, Hashable, Codable {
        /// `scheduled`, `imaging` or `report`.
        public var step: StudyStatus
        /// Reached (this step or a later one is the exam's status).
        public var done: Bool
        /// The exam's status now: the step to highlight.
        public var current: Bool
        /// When the step was reached (ISO 8601), when known.
        public var at: String?
    }

    /// A hospital by id and name.
    public struct HospitalRef: Sendable, Hashable, Codable {
        public var id: String
        public var name: String
    }

    public var studyInstanceUID: String
    /// The name with all but its first character hidden (张*).
    public var patientName: String
    public var patientSex: String
    /// What the exam is, for people: the study description, else the modality.
    public var examType: String
    public var modality: String
    public var modalities: [String]
    public var description: String
    public var bodyPart: String
    /// YYYY-MM-DD, or empty when unknown.
    public var studyDate: String
    /// HH:MM:SS, or empty when unknown.
    public var studyTime: String
    public var accessionNumber: String
    public var hospital: HospitalRef
    public var department: String
    public var status: StudyStatus
    /// scheduled, imaging, report, in that order.
    public var steps: [Step]
    public var seriesCount: Int
    public var instanceCount: Int

    /// Builds the view of an indexed exam.
    public init(_ study: StudySummary, hospitalName: String) {
        studyInstanceUID = study.studyInstanceUID
        patientName = PatientNameMask.mask(study.patientName)
        patientSex = study.patientSex
        examType = study.description.isEmpty ? study.modality : study.description
        modality = study.modality
        modalities = study.modalities
        description = study.description
        bodyPart = study.bodyPart
        studyDate = study.studyDate
        studyTime = study.studyTime
        accessionNumber = study.accessionNumber
        hospital = HospitalRef(id: study.hospitalId, name: hospitalName)
        department = study.department
        status = study.status
        let order: [StudyStatus] = [.scheduled, .imaging, .report]
        let reached = order.firstIndex(of: study.status) ?? 0
        let times = [study.scheduledAt, study.imagedAt, study.reportedAt]
        steps = order.enumerated().map { index, step in
            Step(step: step, done: index <= reached, current: index == reached, at: APITime.string(times[index]))
        }
        seriesCount = study.seriesCount
        instanceCount = study.instanceCount
    }
}
