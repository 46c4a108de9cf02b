//! The personal-data breach register (DOMAIN.md §8). (key, Vietnamese, English).

pub(super) static ENTRIES: &[(&str, &str, &str)] = &[
    ("breaches.title", "Sổ theo dõi sự cố dữ liệu cá nhân", "Personal-data breach register"),
    (
        "breaches.intro",
        "Ghi nhận mọi sự cố lộ, lọt, mất hoặc thay đổi trái phép dữ liệu cá nhân. Phải thông báo cho Cục An ninh mạng và phòng, chống tội phạm sử dụng công nghệ cao (A05) trong thời hạn tính từ khi phát hiện (mặc định 72 giờ, theo tham số «data_protection»).",
        "Record every unauthorised access to, disclosure, loss or alteration of personal data. The Department of Cybersecurity and High-Tech Crime Prevention (A05) must be notified within the deadline counted from detection (72 hours by default, parameter «data_protection»).",
    ),
    ("breaches.detected_at", "Thời điểm phát hiện", "Detected at"),
    ("breaches.description", "Sự việc đã xảy ra", "What happened"),
    (
        "breaches.no_identities",
        "Không ghi họ tên, số định danh hay thông tin nhận diện người nào: chỉ mô tả sự việc, loại dữ liệu và số người ước tính.",
        "Do not write names, identity numbers or anything that identifies a person: describe the incident, the kinds of data and an estimated number only.",
    ),
    ("breaches.categories", "Loại dữ liệu bị ảnh hưởng", "Categories of data"),
    ("breaches.persons_affected", "Số người bị ảnh hưởng (ước tính)", "Persons affected (estimate)"),
    ("breaches.measures", "Biện pháp đã thực hiện", "Measures taken"),
    ("breaches.authority_notified_at", "Đã thông báo A05 lúc", "A05 notified at"),
    ("breaches.subjects_notified_at", "Đã thông báo chủ thể dữ liệu lúc", "Persons notified at"),
    ("breaches.deadline", "Hạn thông báo A05", "A05 deadline"),
    ("breaches.status", "Tình trạng thông báo", "Notification"),
    ("breaches.new", "Ghi nhận sự cố mới", "Record an incident"),
    ("breaches.save", "Ghi nhận", "Record"),
    ("breaches.mark", "Ghi nhận đã thông báo", "Record notification"),
    ("breaches.created", "Đã ghi nhận sự cố.", "Incident recorded."),
    ("breaches.notified", "Đã ghi nhận thời điểm thông báo.", "Notification recorded."),
    ("breaches.time_hint", "Giờ Việt Nam, dạng 2026-10-01T08:30.", "Vietnam time, e.g. 2026-10-01T08:30."),
    ("breaches.overdue", "Quá hạn", "Overdue"),
];
