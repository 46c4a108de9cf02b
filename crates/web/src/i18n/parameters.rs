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
    ("params.other_groups", "Các nhóm tham số khác", "Other parameter groups"),
    ("params.group_person_durations", "Thời hạn các biện pháp", "Terms of the measures"),
    (
        "params.help_person_durations",
        "Thời hạn (tháng) của từng biện pháp theo từng luật (Luật 73/2021 đến 30/6/2026, Luật 120/2025 từ 1/7/2026), dạng JSON. Biện pháp đã quyết định giữ thời hạn đang áp dụng vào ngày quyết định.",
        "The term (months) of each measure under each law (Law 73/2021 until 30/6/2026, Law 120/2025 from 1/7/2026), as JSON. A measure already decided keeps the term in force on its decision date.",
    ),
    (
        "params.group_operations",
        "Thời hạn xử lý kiến nghị và kiểm tra cơ sở",
        "Escalation and inspection deadlines",
    ),
    (
        "params.help_operations",
        "escalation_response_days: số ngày phải trả lời một bước kiến nghị (1–365); business_inspection_months: số tháng tối đa giữa hai lần kiểm tra cơ sở kinh doanh có điều kiện (1–60).",
        "escalation_response_days: days to answer an escalation step (1–365); business_inspection_months: the most months between two inspections of a conditional business (1–60).",
    ),
    ("params.value_json", "Giá trị (JSON)", "Value (JSON)"),
    ("params.group_reporting", "Ngày chốt số liệu báo cáo", "Reporting cut-off day"),
    (
        "params.help_reporting",
        "cutoff_day: ngày bắt đầu tháng thống kê (1–28; mặc định 15 theo Nghị định 09/2019: tháng từ ngày 15 tháng trước đến ngày 14; 1 là tháng dương lịch).",
        "cutoff_day: the first day of a statistical month (1–28; default 15 per Decree 09/2019: the 15th to the 14th; 1 gives calendar months).",
    ),
    ("params.group_data_protection", "Bảo vệ dữ liệu cá nhân", "Personal-data protection"),
    (
        "params.help_data_protection",
        "breach_notify_hours: số giờ kể từ khi phát hiện sự cố dữ liệu cá nhân phải thông báo cho A05 (1–720; mặc định 72). Hạn của mỗi sự cố tính theo giá trị có hiệu lực vào ngày phát hiện.",
        "breach_notify_hours: hours from the detection of a personal-data breach within which A05 must be notified (1–720; default 72). Each incident's deadline uses the value in force on the day it was detected.",
    ),
];
