//! The province parameters page. (key, Vietnamese, English).

pub(super) static ENTRIES: &[(&str, &str, &str)] = &[
    ("params.title", "Tham số của tỉnh", "Province parameters"),
    (
        "params.subtitle",
        "Mỗi thay đổi áp dụng từ ngày hiệu lực; các quyết định trước đó giữ tham số đã áp dụng.",
        "Each change applies from its effective date; earlier decisions keep the value they were made under.",
    ),
    ("params.sites", "Điểm, tụ điểm", "Drug sites"),
    (
        "params.monitoring_months",
        "Thời gian theo dõi sau triệt xóa (tháng)",
        "Monitoring after elimination (months)",
    ),
    ("params.check_interval_months", "Kiểm tra định kỳ mỗi (tháng)", "Check every (months)"),
    ("params.reformation_radius_m", "Bán kính tái hình thành (m)", "Re-formation radius (m)"),
    ("params.cluster_min_subjects", "Số đối tượng tối thiểu của tụ điểm", "Fewest subjects in a cluster"),
    (
        "params.far_from_unit_centre_km",
        "Cảnh báo khi xa trung tâm xã (km)",
        "Warn when far from the commune centre (km)",
    ),
    ("params.valid_from", "Hiệu lực từ ngày", "Effective from"),
    ("params.note", "Căn cứ, ghi chú", "Basis or note"),
    ("params.history", "Các lần thay đổi", "Changes"),
    ("params.value", "Giá trị", "Value"),
    ("params.set_at", "Thời điểm ghi", "Recorded at"),
    (
        "params.defaults_apply",
        "Chưa thay đổi: đang áp dụng giá trị mặc định.",
        "Never changed: the defaults apply.",
    ),
    ("params.saved", "Đã lưu tham số.", "The parameters were saved."),
    ("params.bad_number", "Mỗi tham số phải là một số.", "Each parameter must be a number."),
    ("params.classification", "Ngưỡng phân loại địa bàn", "Classification thresholds"),
    (
        "params.classification_help",
        "Toàn bộ ngưỡng dạng JSON; \"confirmed\": false là ngưỡng chưa có văn bản xác nhận. Thay đổi không làm thay đổi các kết quả đã tính; chỉ áp dụng khi tính lại năm có ngày 14/12 từ ngày hiệu lực trở đi.",
        "All thresholds as JSON; \"confirmed\": false marks a band no public text confirms. A change never alters stored results; it applies when a year whose 14/12 falls on or after its effective date is recomputed.",
    ),
    ("params.thresholds_json", "Ngưỡng (JSON)", "Thresholds (JSON)"),
    ("params.bad_json", "Ngưỡng không đúng định dạng", "The thresholds are not valid"),
];
