-- The periodic report covers the plan (issue 18 item 6) and the personal-data breach
-- register (DOMAIN.md §8). Same version and shape as ../postgres/0018_report_coverage.sql.
--
-- data_breaches: one row per personal-data incident of a province (unit_id: the
-- recording officer's province). It describes the incident, never a person: free text
-- without identities, the categories of data touched (comma-separated codes of
-- diaban_domain::breach::BreachCategory), an approximate number of persons. The
-- deadline to notify the authority (A05) is fixed when the incident is recorded: the
-- detection time plus `breach_notify_hours` of the `data_protection` parameters in force
-- on the day of detection (kept in notify_hours), so a later change of the parameter
-- does not rewrite what was due.
CREATE TABLE data_breaches (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id INTEGER NOT NULL REFERENCES units (id),
    detected_at TEXT NOT NULL,
    description TEXT NOT NULL,
    categories TEXT NOT NULL,
    persons_affected INTEGER NOT NULL CHECK (persons_affected >= 0),
    measures TEXT NOT NULL DEFAULT '',
    notify_hours INTEGER NOT NULL CHECK (notify_hours > 0),
    notify_deadline TEXT NOT NULL,
    authority_notified_at TEXT,
    subjects_notified_at TEXT,
    recorded_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX data_breaches_unit ON data_breaches (unit_id, detected_at);
-- The default template gains the registry sections (tasks, escalations, seizures,
-- persons, businesses, classification, propaganda by venue) and marks the passages the
-- author must write. Reports made under the template of 0017 keep it (it stays, under
-- another code), so issued reports keep their layout as well as their figures.
UPDATE report_templates SET code = 'default_0017', name = 'Mẫu mặc định 2026 (trước khi bổ sung các mục theo kế hoạch)' WHERE code = 'default';
INSERT INTO report_templates (code, name, body) VALUES ('default', 'Mẫu mặc định (tháng, 6 tháng, năm; đủ các mục của kế hoạch)', '{
 "title": "Báo cáo kết quả công tác phòng, chống và kiểm soát ma túy {period}",
 "blocks": {
  "province": {
   "superior": "BỘ CÔNG AN",
   "issuer": "CÔNG AN {PROVINCE}",
   "symbol": "BC-CAT",
   "signer_title": "GIÁM ĐỐC",
   "recipients": [
    "UBND tỉnh (để báo cáo);",
    "Bộ Công an (C04) (để báo cáo);",
    "Ban Chỉ đạo phòng, chống tội phạm tỉnh;",
    "Lưu: VT, PC04."
   ]
  },
  "commune": {
   "superior": "CÔNG AN {PROVINCE}",
   "issuer": "CÔNG AN {UNIT}",
   "symbol": "BC-CAX",
   "signer_title": "TRƯỞNG CÔNG AN",
   "recipients": [
    "Công an tỉnh (PC04) (để báo cáo);",
    "Đảng ủy, UBND {unit};",
    "Lưu: VT."
   ]
  }
 },
 "sections": [
  {
   "type": "narrative",
   "key": "tinh_hinh",
   "title": "I. TÌNH HÌNH CHUNG",
   "text": "Trong {period}, trên địa bàn {unit} phát hiện {cases} vụ việc về ma túy với {case_subjects} đối tượng (cùng kỳ: {cases.previous} vụ); khởi tố {prosecuted_cases} vụ, {prosecuted_defendants} bị can; xử lý hành chính {administratively_handled} người; triệt phá {rings_dismantled} đường dây. Số điểm, tụ điểm đang hoạt động cuối kỳ là {sites_active}; {persons_with_records} người nghiện, người sử dụng trái phép có hồ sơ quản lý."
  },
  {
   "type": "table",
   "title": "II. KẾT QUẢ ĐẤU TRANH, XỬ LÝ TỘI PHẠM VÀ VI PHẠM VỀ MA TÚY",
   "rows": [
    "cases",
    "case_subjects",
    "prosecuted_cases",
    "prosecuted_defendants",
    "administratively_handled",
    "rings_dismantled"
   ],
   "columns": [
    "value",
    "same_period_last_year",
    "change"
   ]
  },
  {
   "type": "seizures",
   "title": "Ma túy thu giữ theo loại và đơn vị tính"
  },
  {
   "type": "table",
   "title": "III. ĐIỂM, TỤ ĐIỂM VÀ ĐỊA BÀN TRỌNG ĐIỂM",
   "rows": [
    "sites_active",
    "sites_eliminated",
    "sites_reformed",
    "sites_eliminated_share",
    "areas_selected",
    "areas_transformed",
    "areas_relapsed"
   ],
   "columns": [
    "value",
    "same_period_last_year",
    "change"
   ]
  },
  {
   "type": "classification",
   "title": "Phân loại xã, phường, đặc khu theo tình hình ma túy"
  },
  {
   "type": "table",
   "title": "IV. QUẢN LÝ NGƯỜI NGHIỆN, NGƯỜI SỬ DỤNG TRÁI PHÉP CHẤT MA TÚY",
   "rows": [
    "persons_with_records",
    "persons_reached",
    "illegal_users_growth",
    "addicts_counselled",
    "problem_communes",
    "drug_free_communes"
   ],
   "columns": [
    "value",
    "same_period_last_year",
    "change"
   ]
  },
  {
   "type": "persons",
   "title": "Người có hồ sơ quản lý theo độ tuổi, giới tính, dân tộc, chất sử dụng, thời gian sử dụng và hình thức cai nghiện"
  },
  {
   "type": "table",
   "title": "V. TUYÊN TRUYỀN VÀ KIỂM TRA CƠ SỞ KINH DOANH CÓ ĐIỀU KIỆN",
   "rows": [
    "propaganda_sessions",
    "propaganda_participants",
    "inspections"
   ],
   "columns": [
    "value",
    "same_period_last_year",
    "change"
   ]
  },
  {
   "type": "propaganda_venues",
   "title": "Tuyên truyền theo loại địa điểm"
  },
  {
   "type": "businesses",
   "title": "Kiểm tra cơ sở kinh doanh có điều kiện về an ninh, trật tự"
  },
  {
   "type": "targets",
   "title": "VI. KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU KẾ HOẠCH (T1–T6)"
  },
  {
   "type": "protection",
   "title": "VII. BẢO VỆ DỮ LIỆU CÁ NHÂN"
  },
  {
   "type": "narrative",
   "key": "bao_ve_du_lieu",
   "title": "Nhận xét về bảo vệ dữ liệu cá nhân",
   "text": "Trong kỳ, hệ thống ghi nhật ký {protection.person_reads} lượt truy cập hồ sơ cá nhân và {protection.identity_exports} lượt xuất danh sách có thông tin định danh; {protection.denied} lượt truy cập bị từ chối đã được kiểm tra. Sổ theo dõi sự cố ghi nhận {breaches.detected} sự cố lộ, lọt dữ liệu cá nhân phát hiện trong kỳ: {breaches.notified_in_time} đã thông báo cho A05 đúng hạn, {breaches.notified_late} thông báo quá hạn, {breaches.pending} chưa thông báo còn trong hạn, {breaches.overdue} chưa thông báo đã quá hạn. Báo cáo này chỉ chứa số liệu tổng hợp, không chứa thông tin định danh."
  },
  {
   "type": "tasks",
   "title": "VIII. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CỦA KẾ HOẠCH"
  },
  {
   "type": "escalations",
   "title": "Khó khăn, vướng mắc và kiến nghị"
  },
  {
   "type": "narrative",
   "key": "nhiem_vu",
   "title": "Nhận xét về thực hiện nhiệm vụ",
   "text": "Trong {period}, {tasks.late} nhiệm vụ của Kế hoạch {plan} chậm tiến độ; phát sinh {escalations.raised} khó khăn, vướng mắc, kiến nghị ({escalations.raised_from_tasks} từ việc thực hiện nhiệm vụ); Công an tỉnh giải quyết {escalations.decided_by_police}, báo cáo UBND tỉnh {escalations.forwarded}, UBND tỉnh quyết định {escalations.decided_by_committee}; cuối kỳ còn {escalations.open_at_end} chưa giải quyết xong, trong đó {escalations.overdue_at_end} quá hạn trả lời."
  },
  {
   "type": "narrative",
   "key": "danh_gia",
   "title": "IX. ĐÁNH GIÁ CHUNG",
   "text": "«[Người soạn bổ sung: đánh giá kết quả đạt được so với kế hoạch, tồn tại, hạn chế và nguyên nhân]»"
  },
  {
   "type": "narrative",
   "key": "phuong_huong",
   "title": "X. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI VÀ KIẾN NGHỊ",
   "text": "Tiếp tục thực hiện Kế hoạch {plan}; tập trung triệt xóa điểm, tụ điểm còn hoạt động, chuyển hóa địa bàn trọng điểm và nâng tỷ lệ người có hồ sơ được tiếp cận dịch vụ.\n«[Người soạn bổ sung: nhiệm vụ trọng tâm kỳ tới và kiến nghị, đề xuất cụ thể với cấp trên]»"
  }
 ]
}');
