/// The demo's UIDs: a fixed UUID-derived root (PS3.5 §B.2) with counters under it, so every run gives the same UIDs
/// and no two demo objects share one. Exams count from 1 in `DemoPlan.exams` order.
///
///     <root>.1.<exam>                        Study Instance UID
///     <root>.2.<exam>.<series>               Series Instance UID
///     <root>.3.<exam>.<series>.<instance>    SOP Instance UID
///     <root>.4.<exam>.<series>               Frame of Reference UID
///
/// The longest is 56 characters, under the 64 that UI allows.
public enum DemoUIDs {
    /// 2.25 followed by the decimal value of the fixed UUID e2eb1fdb-e83c-4775-895d-95f64831ef47.
    public static let root = "2.25.301626362986685370878554644116134817607"

    /// Study Instance UID of exam `exam` (1-based).
    public static func study(exam: Int) -> String { "\(root).1.\(exam)" }
    /// Series Instance UID.
    public static func series(exam: Int, series: Int) -> String { "\(root).2.\(exam).\(series)" }
    /// SOP Instance UID.
    public static func instance(exam: Int, series: Int, instance: Int) -> String { "\(root).3.\(exam).\(series).\(instance)" }
    /// Frame of Reference UID.
    public static func frameOfReference(exam: Int, series: Int) -> String { "\(root).4.\(exam).\(series)" }
}
