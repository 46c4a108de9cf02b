-- Periodic reports (issue 10, DOMAIN.md §7 and §8): templates as data (JSON, checked by
-- diaban_domain::report::template::Template), one report per unit, kind and period, with
-- its narratives (JSON object key -> text, editable while draft or returned), its
-- workflow status and, once issued, its number, date and frozen figures (JSON of
-- diaban_domain::report::Figures, never recomputed). report_events is the history of
-- every transition (who, when, reason); each transition is also in the audit log.
-- Aggregates only: nothing here names a person. Same version and shape as ../postgres/0017_reports.sql.
CREATE TABLE report_templates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    unit_id INTEGER NOT NULL REFERENCES units (id),
    kind TEXT NOT NULL CHECK (kind IN ('monthly', 'half-year', 'annual')),
    period TEXT NOT NULL,
    template_id INTEGER NOT NULL REFERENCES report_templates (id),
    title TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted', 'approved', 'returned', 'issued')),
    narratives TEXT NOT NULL DEFAULT '{}',
    return_reason TEXT NOT NULL DEFAULT '',
    -- Set on issue, together.
    number TEXT,
    issued_on TEXT,
    frozen TEXT,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK ((status = 'issued') = (frozen IS NOT NULL)),
    CHECK ((status = 'issued') = (number IS NOT NULL AND issued_on IS NOT NULL))
);
-- One report per unit, kind and period.
CREATE UNIQUE INDEX reports_unit_period ON reports (unit_id, kind, period);
CREATE TABLE report_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id INTEGER NOT NULL REFERENCES reports (id),
    action TEXT NOT NULL,
    from_status TEXT NOT NULL,
    to_status TEXT NOT NULL,
    actor_user_id INTEGER REFERENCES users (id),
    actor TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE INDEX report_events_report ON report_events (report_id, id);
-- The default template: the indicators of DOMAIN.md §7, the targets T1-T6 and the
-- protection of personal data, for monthly, half-year and annual reports.
INSERT INTO report_templates (code, name, body) VALUES ('default', 'Mẫu mặc định (tháng, 6 tháng, năm)', '{
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
   "text": "Trong kỳ, hệ thống ghi nhật ký {protection.person_reads} lượt truy cập hồ sơ cá nhân và {protection.identity_exports} lượt xuất danh sách có thông tin định danh; {protection.denied} lượt truy cập bị từ chối đã được kiểm tra. Báo cáo này chỉ chứa số liệu tổng hợp, không chứa thông tin định danh."
  },
  {
   "type": "narrative",
   "key": "danh_gia",
   "title": "VIII. ĐÁNH GIÁ CHUNG",
   "text": "Đánh giá kết quả đạt được, tồn tại, hạn chế và nguyên nhân (cán bộ soạn thảo bổ sung trước khi trình)."
  },
  {
   "type": "narrative",
   "key": "phuong_huong",
   "title": "IX. PHƯƠNG HƯỚNG, NHIỆM VỤ KỲ TỚI VÀ KIẾN NGHỊ",
   "text": "Tiếp tục thực hiện Kế hoạch {plan}; tập trung triệt xóa điểm, tụ điểm còn hoạt động, chuyển hóa địa bàn trọng điểm và nâng tỷ lệ người có hồ sơ được tiếp cận dịch vụ."
  }
 ]
}');
