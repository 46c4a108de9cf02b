//! Every visible string goes through [`Tr::t`]: Vietnamese first, English second. A key
//! missing from the table shows as the key itself (a test checks that every key used in
//! the templates and the code is in the table).

use std::collections::HashMap;
use std::sync::LazyLock;

/// Interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Tiếng Việt (default).
    #[default]
    Vi,
    /// English.
    En,
}

impl Lang {
    /// The code used in cookies, the `lang` attribute and `?lang=`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
        }
    }
    /// Parses `vi` or `en`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// The translator handed to templates.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tr(pub Lang);

impl Tr {
    /// The text for `key` in this language.
    pub fn t<'a>(&self, key: &'a str) -> &'a str {
        match TABLE.get(key) {
            Some((vi, en)) => match self.0 {
                Lang::Vi => vi,
                Lang::En => en,
            },
            None => {
                tracing::warn!(key, "missing translation");
                key
            }
        }
    }

    /// Formats an integer with Vietnamese thousands separators (1.234.567) in Vietnamese,
    /// commas in English.
    pub fn num(&self, n: impl std::borrow::Borrow<i64>) -> String {
        let n = *n.borrow();
        let sep = if self.0 == Lang::Vi { '.' } else { ',' };
        let digits = n.unsigned_abs().to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                out.push(sep);
            }
            out.push(c);
        }
        if n < 0 { format!("-{out}") } else { out }
    }

    /// A decimal with one or two digits, with the language's decimal mark.
    pub fn dec(&self, x: f64, digits: usize) -> String {
        let s = format!("{x:.digits$}");
        if self.0 == Lang::Vi {
            let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
            let int = self.num(int.parse::<i64>().unwrap_or(0));
            if frac.is_empty() { int } else { format!("{int},{frac}") }
        } else {
            s
        }
    }

    /// A date as dd/mm/yyyy (both languages: the users' convention).
    pub fn date(&self, d: &chrono::NaiveDate) -> String {
        diaban_domain::time::format_date(*d)
    }

    /// A UTC instant in Vietnam time.
    pub fn datetime(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        diaban_domain::time::format_datetime(*t)
    }
}

/// (key, Vietnamese, English).
pub(crate) static ENTRIES: &[(&str, &str, &str)] = &[
    ("app.tagline", "Quản lý địa bàn phòng, chống ma túy", "Drug-control area management"),
    ("nav.main", "Điều hướng chính", "Main navigation"),
    ("nav.overview", "Tổng quan", "Overview"),
    ("nav.dashboard", "Tổng quan", "Dashboard"),
    ("nav.work", "Nghiệp vụ", "Operations"),
    ("nav.persons", "Đối tượng", "Persons"),
    ("nav.units", "Đơn vị hành chính", "Administrative units"),
    ("nav.system", "Quản trị", "Administration"),
    ("nav.users", "Tài khoản", "Accounts"),
    ("nav.audit", "Nhật ký truy cập", "Audit log"),
    ("nav.account", "Tài khoản của tôi", "My account"),
    ("nav.skip", "Bỏ qua điều hướng", "Skip navigation"),
    ("nav.menu", "Menu", "Menu"),
    ("nav.breadcrumbs", "Đường dẫn", "Breadcrumbs"),
    ("nav.home", "Trang chủ", "Home"),
    ("nav.language", "Ngôn ngữ", "Language"),
    ("auth.logout", "Đăng xuất", "Sign out"),
    ("auth.login", "Đăng nhập", "Sign in"),
    ("auth.login_title", "Đăng nhập hệ thống", "Sign in"),
    ("auth.username", "Tên đăng nhập", "Username"),
    ("auth.password", "Mật khẩu", "Password"),
    ("auth.invalid", "Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong username or password."),
    (
        "auth.throttled",
        "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.",
        "Too many failed sign-ins. Try again in 15 minutes.",
    ),
    ("auth.required", "Vui lòng nhập tên đăng nhập và mật khẩu.", "Enter your username and password."),
    ("auth.totp_title", "Xác thực hai lớp", "Two-factor authentication"),
    ("auth.totp_code", "Mã xác thực (6 chữ số)", "Authentication code (6 digits)"),
    ("auth.totp_invalid", "Mã xác thực không đúng hoặc đã dùng.", "The code is wrong or was already used."),
    (
        "auth.totp_help",
        "Nhập mã 6 chữ số từ ứng dụng xác thực trên điện thoại.",
        "Enter the 6-digit code from your authenticator app.",
    ),
    ("auth.signed_out", "Bạn đã đăng xuất.", "You have signed out."),
    (
        "auth.session_expired",
        "Phiên làm việc đã hết hạn. Vui lòng đăng nhập lại.",
        "Your session has ended. Please sign in again.",
    ),
    ("account.title", "Tài khoản của tôi", "My account"),
    ("account.password", "Đổi mật khẩu", "Change password"),
    ("account.current_password", "Mật khẩu hiện tại", "Current password"),
    ("account.new_password", "Mật khẩu mới", "New password"),
    ("account.confirm_password", "Nhập lại mật khẩu mới", "Repeat the new password"),
    (
        "account.password_hint",
        "Ít nhất 12 ký tự; không dùng mật khẩu phổ biến.",
        "At least 12 characters; no common passwords.",
    ),
    (
        "account.password_changed",
        "Đã đổi mật khẩu. Các phiên khác đã được đăng xuất.",
        "Password changed. Other sessions were signed out.",
    ),
    (
        "account.must_change",
        "Mật khẩu do quản trị viên đặt: vui lòng đổi mật khẩu trước khi tiếp tục.",
        "An administrator set your password: change it before you continue.",
    ),
    ("account.wrong_current", "Mật khẩu hiện tại không đúng.", "The current password is wrong."),
    ("account.mismatch", "Hai mật khẩu mới không khớp.", "The two new passwords differ."),
    ("account.language", "Ngôn ngữ giao diện", "Interface language"),
    ("account.language_saved", "Đã lưu ngôn ngữ.", "Language saved."),
    ("account.totp", "Xác thực hai lớp (TOTP)", "Two-factor authentication (TOTP)"),
    ("account.totp_on", "Đang bật.", "On."),
    ("account.totp_off", "Chưa bật.", "Off."),
    (
        "account.totp_required",
        "Vai trò của bạn bắt buộc xác thực hai lớp: vui lòng thiết lập trước khi tiếp tục.",
        "Your role requires two-factor authentication: set it up before you continue.",
    ),
    (
        "account.totp_setup",
        "Thêm khóa bí mật dưới đây vào ứng dụng xác thực (Google Authenticator, FreeOTP…), rồi nhập mã 6 chữ số để xác nhận.",
        "Add the secret below to an authenticator app (Google Authenticator, FreeOTP…), then enter the 6-digit code to confirm.",
    ),
    ("account.totp_secret", "Khóa bí mật", "Secret"),
    ("account.totp_enabled", "Đã bật xác thực hai lớp.", "Two-factor authentication is on."),
    ("account.totp_disabled", "Đã tắt xác thực hai lớp.", "Two-factor authentication is off."),
    ("account.totp_enable", "Bật xác thực hai lớp", "Turn on two-factor"),
    ("account.totp_disable", "Tắt xác thực hai lớp", "Turn off two-factor"),
    (
        "account.totp_no_key",
        "Máy chủ chưa có tệp khóa dữ liệu nên chưa thể lưu khóa TOTP.",
        "The server has no data key file, so a TOTP secret cannot be stored.",
    ),
    ("account.tokens", "Mã truy cập API", "API tokens"),
    ("common.save", "Lưu", "Save"),
    ("common.search", "Tìm kiếm", "Search"),
    ("common.filter", "Lọc", "Filter"),
    ("common.clear", "Xóa lọc", "Clear"),
    ("common.cancel", "Hủy", "Cancel"),
    ("common.create", "Thêm mới", "Add"),
    ("common.back", "Quay lại", "Back"),
    ("common.none", "Không có dữ liệu.", "Nothing here yet."),
    ("common.none_found", "Không tìm thấy kết quả phù hợp.", "No matching results."),
    ("common.total", "Tổng số", "Total"),
    ("common.page", "Trang", "Page"),
    ("common.prev", "Trang trước", "Previous"),
    ("common.next", "Trang sau", "Next"),
    ("common.export_csv", "Xuất CSV", "Export CSV"),
    ("common.yes", "Có", "Yes"),
    ("common.no", "Không", "No"),
    ("common.required", "Bắt buộc", "Required"),
    ("common.dismiss", "Đóng", "Dismiss"),
    ("common.form_errors", "Vui lòng sửa các lỗi bên dưới.", "Please correct the errors below."),
    ("common.saved", "Đã lưu.", "Saved."),
    ("common.sort", "Sắp xếp", "Sort"),
    ("error.title", "Có lỗi xảy ra", "Something went wrong"),
    (
        "error.not_found",
        "Không tìm thấy trang hoặc hồ sơ bạn yêu cầu (hoặc hồ sơ nằm ngoài phạm vi quản lý của bạn).",
        "The page or record was not found (or it lies outside your scope).",
    ),
    (
        "error.forbidden",
        "Vai trò của bạn không được phép thực hiện thao tác này. Lần truy cập đã được ghi nhật ký.",
        "Your role does not allow this. The attempt has been logged.",
    ),
    (
        "error.csrf",
        "Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng tải lại trang và thử lại.",
        "The form has expired or is invalid. Reload the page and try again.",
    ),
    ("error.bad_request", "Yêu cầu không hợp lệ.", "The request is not valid."),
    ("error.too_many", "Quá nhiều yêu cầu. Vui lòng thử lại sau.", "Too many requests. Try again later."),
    (
        "error.internal",
        "Lỗi hệ thống. Sự cố đã được ghi lại; vui lòng thử lại sau.",
        "Internal error. It has been logged; please try again later.",
    ),
    (
        "error.unavailable",
        "Cơ sở dữ liệu tạm thời không phản hồi.",
        "The database is temporarily unavailable.",
    ),
    ("error.conflict", "Thao tác xung đột với dữ liệu hiện có.", "This conflicts with existing data."),
    ("error.too_large", "Dữ liệu gửi lên quá lớn.", "The upload is too large."),
    ("dash.title", "Tổng quan địa bàn", "Overview"),
    ("dash.communes", "Xã, phường, đặc khu", "Communes and wards"),
    ("dash.legacy_communes", "Đơn vị cũ (trước 1/7/2025) quy về", "Legacy units mapped in"),
    ("dash.population", "Dân số", "Population"),
    ("dash.persons", "Người có hồ sơ quản lý", "Persons with management records"),
    ("dash.map", "Dân số theo xã", "Population by commune"),
    ("dash.map_label", "Bản đồ dân số theo xã, phường", "Map of population by commune"),
    ("dash.chart", "Xã, phường đông dân nhất", "Most populous communes"),
    ("dash.population_year", "Dân số năm", "Population in"),
    ("common.actions", "Thao tác", "Actions"),
    ("units.title", "Đơn vị hành chính", "Administrative units"),
    ("units.code", "Mã", "Code"),
    ("units.name", "Tên", "Name"),
    ("units.type", "Loại", "Type"),
    ("units.level", "Cấp", "Level"),
    ("units.area", "Diện tích (km²)", "Area (km²)"),
    ("units.province", "Tỉnh, thành phố", "Province"),
    ("units.provinces", "Tỉnh, thành phố (từ 1/7/2025)", "Provinces (from 1 July 2025)"),
    ("units.communes", "Xã, phường, đặc khu", "Communes, wards, special zones"),
    ("units.search_hint", "Tên hoặc mã, có dấu hoặc không dấu", "Name or code, with or without accents"),
    ("units.formerly", "Trước đây", "Formerly"),
    ("units.became", "Nay thuộc", "Now part of"),
    ("units.lineage", "Lịch sử sắp xếp đơn vị", "Reorganisation history"),
    ("units.valid", "Hiệu lực", "Valid"),
    ("units.valid_from", "từ", "from"),
    ("units.valid_to", "đến", "until"),
    ("units.legacy", "Đơn vị cũ", "Legacy unit"),
    ("units.population", "Dân số theo năm", "Population by year"),
    ("units.children", "Đơn vị trực thuộc", "Units within"),
    ("units.split", "một phần", "part"),
    ("units.whole", "toàn bộ", "whole"),
    ("units.map_label", "Bản đồ vị trí đơn vị", "Map of the unit"),
    ("persons.title", "Đối tượng sử dụng, nghiện ma túy", "Drug users and addicts"),
    ("persons.new", "Thêm hồ sơ đối tượng", "New person record"),
    ("persons.full_name", "Họ và tên", "Full name"),
    ("persons.id_number", "Số định danh cá nhân / CMND", "Identity number / legacy ID card"),
    ("persons.sex", "Giới tính", "Sex"),
    ("persons.male", "Nam", "Male"),
    ("persons.female", "Nữ", "Female"),
    ("persons.birth_date", "Ngày sinh", "Date of birth"),
    ("persons.birth_year", "Năm sinh", "Birth year"),
    ("persons.ethnicity", "Dân tộc", "Ethnicity"),
    ("persons.residence", "Nơi cư trú (xã, phường)", "Residence (commune)"),
    ("persons.address", "Địa chỉ", "Address"),
    ("persons.phone", "Số điện thoại", "Phone"),
    ("persons.notes", "Ghi chú", "Notes"),
    ("persons.search_id", "Tìm theo số định danh", "Find by identity number"),
    ("persons.search_name", "hoặc họ tên + năm sinh", "or full name + birth year"),
    ("persons.created", "Đã tạo hồ sơ.", "Record created."),
    (
        "persons.existing",
        "Số định danh này đã có hồ sơ: mở hồ sơ hiện có, không tạo hồ sơ thứ hai.",
        "This identity number already has a record: the existing record is shown; no second one was made.",
    ),
    ("persons.reason", "Lý do xem hồ sơ (ghi vào nhật ký)", "Reason for viewing (written to the audit log)"),
    (
        "persons.audited",
        "Mọi lần xem hồ sơ đều được ghi nhật ký.",
        "Every view of a record is written to the audit log.",
    ),
    ("persons.open", "Xem hồ sơ", "Open record"),
    (
        "persons.encrypted",
        "Các trường định danh được mã hóa khi lưu.",
        "Identifying fields are encrypted at rest.",
    ),
    (
        "persons.no_key",
        "Máy chủ chưa được cấu hình tệp khóa dữ liệu (--key-file), nên không thể đọc hay ghi hồ sơ đối tượng.",
        "The server has no data key file (--key-file), so person records cannot be read or written.",
    ),
    ("validation.required", "Trường này là bắt buộc.", "This field is required."),
    (
        "validation.year",
        "Năm sinh phải từ 1900 đến năm nay.",
        "The birth year must be between 1900 and this year.",
    ),
    (
        "validation.date",
        "Ngày không hợp lệ (dd/mm/yyyy hoặc yyyy-mm-dd).",
        "Invalid date (dd/mm/yyyy or yyyy-mm-dd).",
    ),
    (
        "validation.unit",
        "Không tìm thấy xã, phường này trong phạm vi của bạn.",
        "No such commune in your scope.",
    ),
    ("validation.sex", "Chọn giới tính.", "Choose the sex."),
    ("nav.sites", "Điểm, tụ điểm", "Drug sites"),
    ("sites.title", "Điểm, tụ điểm phức tạp về ma túy", "Drug sites"),
    ("sites.new", "Thêm điểm", "New site"),
    ("sites.name", "Tên điểm", "Name"),
    ("sites.kind", "Loại", "Kind"),
    ("sites.state", "Trạng thái", "State"),
    ("sites.hot_spot", "Điểm nóng", "Hot spot"),
    ("sites.overdue", "Quá hạn kiểm tra", "Check overdue"),
    ("sites.map_label", "Bản đồ điểm, tụ điểm theo trạng thái", "Map of drug sites by state"),
    ("sites.unit", "Xã, phường", "Commune"),
    ("sites.unit_code", "Mã xã, phường", "Commune code"),
    ("sites.since", "Từ ngày", "Since"),
    ("sites.lat", "Vĩ độ", "Latitude"),
    ("sites.lon", "Kinh độ", "Longitude"),
    ("sites.coordinates", "Tọa độ", "Coordinates"),
    ("sites.address", "Địa chỉ", "Address"),
    ("sites.found_how", "Nguồn phát hiện", "How it was found"),
    ("sites.business_ref", "Cơ sở kinh doanh có điều kiện liên quan", "Linked conditional business"),
    ("sites.first_state", "Trạng thái ban đầu", "First state"),
    ("sites.state_reported", "Tiếp nhận tin báo, nghi vấn", "Reported / suspected"),
    ("sites.state_listed", "Đã xác minh, đưa vào danh sách", "Verified and listed"),
    ("sites.on", "Ngày", "Date"),
    ("sites.description", "Mô tả", "Description"),
    ("sites.note", "Ghi chú", "Note"),
    ("sites.evidence", "Căn cứ, tài liệu chứng minh", "Evidence or decision"),
    ("sites.timeline", "Diễn biến", "Timeline"),
    ("sites.by", "Người cập nhật", "By"),
    ("sites.change_state", "Chuyển trạng thái", "Change state"),
    ("sites.next_state", "Trạng thái tiếp theo", "Next state"),
    ("sites.checks", "Kiểm tra sau triệt xóa", "Checks after elimination"),
    ("sites.record_check", "Ghi nhận kết quả kiểm tra", "Record a check"),
    ("sites.due", "Hạn kiểm tra", "Due"),
    ("sites.done", "Ngày kiểm tra", "Done on"),
    ("sites.outcome", "Kết quả", "Outcome"),
    ("sites.no_activity", "Không có hoạt động", "No activity"),
    ("sites.activity", "Có hoạt động trở lại (tái hình thành)", "Activity (re-formed)"),
    ("sites.created", "Đã ghi nhận điểm.", "The site was recorded."),
    ("sites.changed", "Đã chuyển trạng thái.", "The state was changed."),
    ("sites.check_recorded", "Đã ghi nhận kết quả kiểm tra.", "The check was recorded."),
    ("sites.choose_state", "Chọn trạng thái tiếp theo.", "Choose the next state."),
    ("sites.choose_outcome", "Chọn kết quả kiểm tra.", "Choose the outcome."),
    (
        "sites.bad_kind",
        "Chọn loại: điểm, tụ điểm hoặc điểm nguy cơ.",
        "Choose the kind: point, cluster or risk point.",
    ),
    (
        "sites.bad_first_state",
        "Điểm mới chỉ có thể ở trạng thái tiếp nhận tin báo hoặc đã xác minh, đưa vào danh sách.",
        "A new site is either reported or verified and listed.",
    ),
    (
        "sites.bad_coordinate",
        "Nhập tọa độ dạng số (độ thập phân).",
        "Enter the coordinate as a number (decimal degrees).",
    ),
    ("sites.future_date", "Ngày không được sau hôm nay.", "The date cannot be after today."),
    ("sites.unknown_unit", "Không có xã, phường nào mang mã này", "No commune has this code"),
    // parameters
    ("nav.parameters", "Tham số", "Parameters"),
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
    // classification of communes
    ("nav.classification", "Phân loại địa bàn", "Commune classification"),
    (
        "classification.title",
        "Phân loại địa bàn xã về ma túy",
        "Classification of communes by drug situation",
    ),
    (
        "classification.subtitle",
        "Năm thống kê từ 15/12 năm trước đến 14/12; số liệu từ cơ sở dữ liệu lấy tại cuối ngày 14/12.",
        "Statistical years run 15/12 to 14/12; registry counts are taken at the end of 14/12.",
    ),
    ("classification.year", "Năm thống kê", "Statistical year"),
    ("classification.version_applied", "Tiêu chí áp dụng", "Criteria applied"),
    ("classification.export_csv", "Xuất CSV", "Export CSV"),
    (
        "classification.compute_all",
        "Tính lại cả năm cho các xã trong phạm vi",
        "Recompute the year for every commune in scope",
    ),
    ("classification.computed", "Đã tính lại phân loại.", "The classification was recomputed."),
    (
        "classification.saved",
        "Đã lưu số liệu và tính lại phân loại.",
        "The inputs were saved and the classification recomputed.",
    ),
    ("classification.map_label", "Bản đồ phân loại địa bàn", "Map of the classification"),
    ("classification.counts", "Số xã theo loại", "Communes per class"),
    ("classification.class", "Phân loại", "Class"),
    ("classification.change", "So với năm trước", "Change from the year before"),
    ("classification.change_worse", "Phức tạp hơn", "Worse"),
    ("classification.change_better", "Giảm", "Better"),
    ("classification.change_same", "Không đổi", "Same"),
    ("classification.not_computed", "Chưa tính", "Not computed"),
    ("classification.result", "Kết quả", "Result"),
    ("classification.thresholds_from", "Ngưỡng áp dụng từ", "Thresholds in force from"),
    ("classification.thresholds_default", "mặc định", "the defaults"),
    ("classification.computed_at", "Tính lúc", "Computed"),
    (
        "classification.stale",
        "Số liệu đã thay đổi sau lần tính này: hãy tính lại.",
        "The inputs changed after this result was computed: recompute it.",
    ),
    ("classification.missing_inputs", "Thiếu số liệu", "Missing inputs"),
    ("classification.criteria", "Các tiêu chí", "Criteria"),
    ("classification.band", "Mức", "Band"),
    ("classification.criterion", "Tiêu chí", "Criterion"),
    ("classification.value", "Giá trị", "Value"),
    ("classification.threshold", "Ngưỡng", "Threshold"),
    ("classification.outcome", "Kết quả", "Outcome"),
    ("classification.explanation", "Giải thích", "Explanation"),
    ("classification.met", "Đạt", "Met"),
    ("classification.not_met", "Không đạt", "Not met"),
    ("classification.undecided", "Chưa xác định (thiếu số liệu)", "Undecided (input missing)"),
    ("classification.unconfirmed", "chưa xác nhận", "unconfirmed"),
    ("classification.inputs", "Số liệu đầu vào", "Inputs"),
    ("classification.input", "Số liệu", "Input"),
    ("classification.source", "Nguồn", "Source"),
    ("classification.manual_value", "Nhập tay", "Entered by hand"),
    ("classification.source_manual", "Nhập tay", "Entered by hand"),
    ("classification.source_missing", "Chưa có", "Missing"),
    ("classification.registry_population", "Bảng dân số của hệ thống", "The app's population table"),
    (
        "classification.registry_persons",
        "Hồ sơ đối tượng cư trú tại xã, lập đến 14/12 (chưa có dữ liệu cai nghiện, quản lý: mọi hồ sơ đều được tính)",
        "Person records of residents, made by 14/12 (no episodes yet: every record counts)",
    ),
    (
        "classification.registry_sites",
        "Điểm, tụ điểm đang hoạt động ngày 14/12 (đã xác minh, đang đấu tranh, tái hình thành)",
        "Points and clusters active on 14/12 (listed, under action, re-formed)",
    ),
    ("classification.registry_clusters", "Tụ điểm đang hoạt động ngày 14/12", "Clusters active on 14/12"),
    ("classification.registry_says", "Hệ thống đếm được", "The registry counts"),
    ("classification.manual_only", "Chưa có trong hệ thống: nhập tay", "No registry yet: entered by hand"),
    (
        "classification.form_help",
        "Để trống một ô để dùng số liệu của hệ thống (nếu có). Số lượng là số nguyên không âm; diện tích tính bằng m².",
        "Leave a box empty to use the registry's figure, if any. Counts are whole numbers, not negative; the area is in m².",
    ),
    ("classification.save_recompute", "Lưu và tính lại", "Save and recompute"),
    ("params.classification", "Ngưỡng phân loại địa bàn", "Classification thresholds"),
    (
        "params.classification_help",
        "Toàn bộ ngưỡng dạng JSON; \"confirmed\": false là ngưỡng chưa có văn bản xác nhận. Thay đổi không làm thay đổi các kết quả đã tính; chỉ áp dụng khi tính lại năm có ngày 14/12 từ ngày hiệu lực trở đi.",
        "All thresholds as JSON; \"confirmed\": false marks a band no public text confirms. A change never alters stored results; it applies when a year whose 14/12 falls on or after its effective date is recomputed.",
    ),
    ("params.thresholds_json", "Ngưỡng (JSON)", "Thresholds (JSON)"),
    ("params.bad_json", "Ngưỡng không đúng định dạng", "The thresholds are not valid"),
    // checks due
    ("nav.site_checks", "Lịch kiểm tra", "Checks due"),
    ("checks.title", "Lịch kiểm tra sau triệt xóa", "Checks after elimination"),
    (
        "checks.subtitle",
        "Các lần kiểm tra chưa thực hiện của điểm đang theo dõi, theo xã và cán bộ phụ trách.",
        "Pending checks of monitored sites, by commune and officer in charge.",
    ),
    ("checks.within_days", "Đến hạn trong (ngày)", "Due within (days)"),
    ("checks.mine", "Chỉ điểm tôi phụ trách", "Only my sites"),
    ("checks.none", "Không có lần kiểm tra nào đến hạn.", "No check is due."),
    ("checks.by_commune", "Theo xã, phường", "By commune"),
    ("checks.due_soon", "Sắp đến hạn", "Due soon"),
    ("checks.list", "Danh sách", "List"),
    ("checks.officer", "Cán bộ phụ trách", "Officer in charge"),
    // incidents
    ("nav.incidents", "Vụ việc", "Incidents"),
    ("incidents.title", "Vụ việc", "Incidents"),
    ("incidents.kind", "Loại vụ việc", "Kind"),
    ("incidents.date", "Ngày xảy ra", "Date"),
    ("incidents.from", "Từ ngày", "From"),
    ("incidents.to", "Đến ngày", "To"),
    ("incidents.source", "Nguồn", "Source"),
    ("incidents.map_label", "Bản đồ vụ việc", "Map of incidents"),
    ("incidents.new", "Ghi nhận vụ việc", "Record an incident"),
    ("incidents.unit_optional", "Mã xã, phường (bỏ trống: xã gần nhất)", "Commune code (empty: the nearest)"),
    ("incidents.import", "Nhập từ tệp CSV", "Import from CSV"),
    (
        "incidents.import_help",
        "Cột bắt buộc: lat, lon, date, kind (arrest, seizure, tip, overdose, syringe_find, other); tùy chọn: unit, note. Một dòng sai thì không nhập dòng nào.",
        "Required columns: lat, lon, date, kind (arrest, seizure, tip, overdose, syringe_find, other); optional: unit, note. One bad row and nothing is imported.",
    ),
    ("incidents.file", "Chọn tệp", "Choose a file"),
    ("incidents.csv", "Nội dung CSV", "CSV content"),
    ("incidents.import_button", "Nhập", "Import"),
    ("incidents.import_failed", "Không nhập dòng nào. Các dòng sai:", "Nothing was imported. Bad rows:"),
    ("incidents.imported", "Đã nhập các vụ việc.", "The incidents were imported."),
    ("incidents.created", "Đã ghi nhận vụ việc.", "The incident was recorded."),
    (
        "incidents.created_with_alert",
        "Đã ghi nhận vụ việc. Vụ việc nằm gần một điểm đã triệt xóa: xem cảnh báo.",
        "The incident was recorded. It lies near an eliminated site: see the alert.",
    ),
    ("incidents.bad_kind", "Loại vụ việc không hợp lệ", "Unknown kind"),
    (
        "incidents.no_commune",
        "Tọa độ không gần xã, phường nào trong phạm vi của bạn; ghi mã xã.",
        "The coordinates are near no commune in your scope; give the commune code.",
    ),
    ("incidents.empty_file", "Tệp không có dòng dữ liệu nào.", "The file has no rows."),
    // site edits, linked persons, re-formation alerts
    ("sites.responsible", "Cán bộ phụ trách", "Officer in charge"),
    ("sites.responsible_unchanged", "(giữ nguyên)", "(unchanged)"),
    (
        "sites.bad_responsible",
        "Chọn một cán bộ trong phạm vi của bạn.",
        "Choose an officer within your scope.",
    ),
    ("sites.edit", "Sửa thông tin", "Edit"),
    ("sites.updated", "Đã cập nhật thông tin điểm.", "The site was updated."),
    ("sites.alerts", "Cảnh báo tái hình thành", "Re-formation alerts"),
    (
        "sites.alerts_help",
        "Vụ việc xảy ra trong bán kính tái hình thành sau khi điểm bị triệt xóa. Xác nhận để theo dõi, hoặc bỏ qua kèm lý do.",
        "Incidents within the re-formation radius after the site was eliminated. Accept to follow up, or dismiss with a reason.",
    ),
    ("sites.distance", "Khoảng cách", "Distance"),
    ("sites.alert_status", "Xử lý", "Decision"),
    ("sites.alert_open", "Chưa xử lý", "Open"),
    ("sites.alert_accepted", "Đã xác nhận", "Accepted"),
    ("sites.alert_dismissed", "Đã bỏ qua", "Dismissed"),
    ("sites.alert_note", "Ghi chú, lý do", "Note or reason"),
    ("sites.alert_accept", "Xác nhận", "Accept"),
    ("sites.alert_dismiss", "Bỏ qua", "Dismiss"),
    ("sites.alert_choose", "Chọn xác nhận hoặc bỏ qua.", "Choose accept or dismiss."),
    ("sites.alert_decided", "Đã ghi nhận quyết định về cảnh báo.", "The decision on the alert was recorded."),
    ("sites.alert_reason_required", "Bỏ qua cảnh báo cần ghi lý do.", "Dismissing an alert needs a reason."),
    ("sites.alert_already_decided", "Cảnh báo này đã được xử lý", "This alert was already decided"),
    (
        "sites.map_truncated",
        "Bản đồ chỉ vẽ các điểm mới nhất; lọc theo xã hoặc trạng thái để xem đủ:",
        "The map draws the newest sites only; filter by commune or state to see all:",
    ),
    ("persons.linked_sites", "Điểm, tụ điểm liên quan", "Linked drug sites"),
    ("sites.open_alerts", "Cảnh báo chưa xử lý", "Open alerts"),
    ("sites.linked_persons", "Đối tượng liên quan", "Linked persons"),
    ("sites.no_linked_persons", "Chưa liên kết đối tượng nào.", "No person is linked."),
    ("sites.person_record", "Hồ sơ", "Record"),
    ("sites.person_out_of_scope", "ngoài phạm vi của bạn", "outside your scope"),
    ("sites.person_role", "Vai trò", "Role"),
    ("sites.link_person", "Liên kết đối tượng", "Link a person"),
    ("sites.link", "Liên kết", "Link"),
    ("sites.unlink", "Gỡ liên kết", "Unlink"),
    ("sites.person_linked", "Đã liên kết đối tượng.", "The person was linked."),
    ("sites.person_unlinked", "Đã gỡ liên kết.", "The link was removed."),
    (
        "sites.link_bad_number",
        "Số định danh phải có 12 chữ số (hoặc CMND 9 chữ số).",
        "An identity number has 12 digits (or 9 for a legacy card).",
    ),
    (
        "sites.link_not_found",
        "Không có hồ sơ nào với số này trong phạm vi của bạn.",
        "No record with this number in your scope.",
    ),
    (
        "sites.unit_out_of_scope",
        "Xã, phường này nằm ngoài phạm vi của bạn",
        "This commune is outside your scope",
    ),
    (
        "sites.warn_near",
        "Đã có một điểm khác trong bán kính tái hình thành: kiểm tra xem có trùng địa điểm không.",
        "Another site lies within the re-formation radius: check whether it is the same place.",
    ),
    (
        "sites.warn_far",
        "Điểm nằm xa trung tâm xã, phường đã chọn: kiểm tra lại tọa độ hoặc đơn vị.",
        "The site lies far from the centre of its commune: check the coordinates or the unit.",
    ),
    ("validation.too_long", "Quá dài.", "Too long."),
    ("users.title", "Tài khoản người dùng", "User accounts"),
    ("users.new", "Thêm tài khoản", "New account"),
    ("users.username", "Tên đăng nhập", "Username"),
    ("users.display_name", "Họ tên hiển thị", "Display name"),
    ("users.role", "Vai trò", "Role"),
    ("users.unit", "Đơn vị phụ trách (mã)", "Scope unit (code)"),
    ("users.status", "Trạng thái", "Status"),
    ("users.active", "Đang hoạt động", "Active"),
    ("users.disabled", "Đã khóa", "Disabled"),
    ("users.disable", "Khóa tài khoản", "Disable"),
    ("users.enable", "Mở khóa", "Enable"),
    ("users.reset", "Đặt lại mật khẩu", "Reset password"),
    (
        "users.reset_done",
        "Mật khẩu tạm thời (chỉ hiện một lần, người dùng phải đổi khi đăng nhập):",
        "Temporary password (shown once; the user must change it at sign-in):",
    ),
    (
        "users.created",
        "Đã tạo tài khoản. Mật khẩu tạm thời (chỉ hiện một lần):",
        "Account created. Temporary password (shown once):",
    ),
    (
        "users.confirm_disable",
        "Khóa tài khoản này? Mọi phiên đăng nhập sẽ kết thúc.",
        "Disable this account? All its sessions end.",
    ),
    ("users.confirm_reset", "Đặt lại mật khẩu của tài khoản này?", "Reset this account's password?"),
    ("users.taken", "Tên đăng nhập đã tồn tại.", "This username is taken."),
    (
        "users.username_rule",
        "3–32 ký tự: chữ thường không dấu, số, dấu chấm, gạch dưới, gạch ngang.",
        "3–32 characters: lowercase letters, digits, dot, underscore, hyphen.",
    ),
    (
        "users.unit_rule",
        "Mã xã (5 chữ số) cho Công an xã; mã tỉnh (2 chữ số) cho các vai trò khác.",
        "A commune code (5 digits) for commune officers; a province code (2 digits) for other roles.",
    ),
    ("users.2fa", "2FA", "2FA"),
    ("users.grant", "Cho xem dữ liệu cá nhân", "May view personal data"),
    ("audit.title", "Nhật ký truy cập và thay đổi", "Audit log"),
    ("audit.at", "Thời điểm", "Time"),
    ("audit.actor", "Người thực hiện", "Actor"),
    ("audit.role", "Vai trò", "Role"),
    ("audit.action", "Hành động", "Action"),
    ("audit.target", "Đối tượng tác động", "Target"),
    ("audit.reason", "Lý do", "Reason"),
    ("audit.ip", "Địa chỉ IP", "Address"),
    ("audit.outcome", "Kết quả", "Outcome"),
    ("audit.from", "Từ ngày", "From"),
    ("audit.to", "Đến ngày", "To"),
    ("audit.chain_ok", "Chuỗi băm toàn vẹn", "Hash chain intact"),
    ("audit.chain_bad", "Chuỗi băm bị phá vỡ", "Hash chain broken"),
    ("audit.entries", "bản ghi", "entries"),
    // sites import/export (xlsx)
    ("sites_io.export_xlsx", "Xuất XLSX", "Export XLSX"),
    ("sites_io.import", "Nhập danh sách", "Import a list"),
    ("sites_io.title", "Nhập danh sách điểm, tụ điểm", "Import a list of drug sites"),
    (
        "sites_io.intro",
        "Tải lên tệp CSV (UTF-8) hoặc XLSX: dòng đầu là tên cột, mỗi dòng sau là một điểm. Nếu có dòng sai thì không điểm nào được nhập và các lỗi được liệt kê theo dòng.",
        "Upload a CSV (UTF-8) or XLSX file: the first row names the columns, each further row is a site. If any row is wrong nothing is imported and the problems are listed by line.",
    ),
    ("sites_io.file", "Tệp CSV hoặc XLSX", "CSV or XLSX file"),
    (
        "sites_io.limits",
        "Tối đa {mb} MiB và {rows} dòng; với tệp XLSX chỉ đọc trang tính đầu tiên.",
        "At most {mb} MiB and {rows} rows; of an XLSX file only the first worksheet is read.",
    ),
    ("sites_io.template", "Tải tệp mẫu XLSX", "Download the XLSX template"),
    ("sites_io.submit", "Nhập danh sách", "Import"),
    ("sites_io.columns", "Các cột", "Columns"),
    (
        "sites_io.columns_note",
        "Tên cột viết theo cột CSV hoặc cột XLSX, theo thứ tự bất kỳ. Tệp XLSX xuất từ hệ thống có thể nhập lại sau khi xóa cột Mã điểm và Tên xã, phường; mỗi lần nhập luôn tạo điểm mới.",
        "Name the columns as in the CSV or the XLSX column, in any order. An XLSX file exported from diaban imports again once the columns Mã điểm and Tên xã, phường are deleted; an import always creates new sites.",
    ),
    ("sites_io.header_csv", "Cột CSV", "CSV column"),
    ("sites_io.header_xlsx", "Cột XLSX", "XLSX column"),
    ("sites_io.meaning", "Nội dung", "Meaning"),
    ("sites_io.values", "Giá trị", "Values"),
    ("sites_io.values_state", "Để trống: tiếp nhận tin báo", "Empty: reported"),
    ("sites_io.values_hot_spot", "Có hoặc Không (để trống: Không)", "Có (yes) or Không (no); empty: no"),
    (
        "sites_io.values_unit",
        "Mã xã, phường 5 chữ số; mã cũ trước sáp nhập được hiểu theo ngày của dòng",
        "5-digit commune code; a code from before the 2025 merger is read as of the row's date",
    ),
    ("sites_io.values_coordinate", "Số thập phân, ví dụ 14,3545", "Decimal degrees, e.g. 14.3545"),
    (
        "sites_io.values_on",
        "Ngày dd/mm/yyyy hoặc YYYY-MM-DD, không sau hôm nay; để trống: hôm nay",
        "A date dd/mm/yyyy or YYYY-MM-DD, not after today; empty: today",
    ),
    (
        "sites_io.report",
        "Không điểm nào được nhập. Sửa các lỗi dưới đây rồi tải tệp lên lại.",
        "Nothing was imported. Correct the problems below and upload the file again.",
    ),
    ("sites_io.report_title", "Các lỗi trong tệp", "Problems in the file"),
    ("sites_io.line", "Dòng", "Line"),
    ("sites_io.column", "Cột", "Column"),
    ("sites_io.problem", "Lỗi", "Problem"),
    ("sites_io.imported", "Đã nhập {n} điểm.", "{n} sites imported."),
    ("sites_io.choose_file", "Chọn một tệp CSV hoặc XLSX.", "Choose a CSV or XLSX file."),
    (
        "sites_io.too_large",
        "Tệp lớn hơn {mb} MiB: chia danh sách thành nhiều tệp.",
        "The file is larger than {mb} MiB: split the list.",
    ),
    (
        "sites_io.not_xlsx",
        "Tệp không phải là bảng tính XLSX hợp lệ.",
        "The file is not a valid XLSX workbook.",
    ),
    (
        "sites_io.xls",
        "Định dạng .xls cũ không được hỗ trợ: lưu lại tệp dưới dạng .xlsx hoặc CSV UTF-8.",
        "The old .xls format is not supported: save the file as .xlsx or as UTF-8 CSV.",
    ),
    ("sites_io.not_utf8", "Tệp CSV phải được lưu với bảng mã UTF-8.", "The CSV file must be saved as UTF-8."),
    ("sites_io.empty_sheet", "Trang tính đầu tiên không có dữ liệu.", "The first worksheet is empty."),
    ("sites_io.no_rows", "Tệp không có dòng dữ liệu nào.", "The file has no data rows."),
    (
        "sites_io.too_many_rows",
        "Tệp có hơn {max} dòng dữ liệu: chia danh sách thành nhiều tệp.",
        "The file has more than {max} data rows: split the list.",
    ),
    (
        "sites_io.unknown_columns",
        "Cột không hợp lệ: {cols}. Các cột hợp lệ: {expected} (hoặc tiêu đề tiếng Việt của tệp mẫu).",
        "Unknown columns: {cols}. Expected some of: {expected} (or the template's Vietnamese headers).",
    ),
    (
        "sites_io.export_only_column",
        "Cột {col} chỉ có trong tệp xuất; nhập danh sách luôn tạo điểm mới: xóa cột này.",
        "The column {col} is written by the export only; an import always creates new sites: delete the column.",
    ),
    ("sites_io.duplicate_column", "Cột {col} xuất hiện hai lần.", "The column {col} appears twice."),
    ("sites_io.missing_columns", "Thiếu cột bắt buộc: {cols}.", "Required columns are missing: {cols}."),
    (
        "sites_io.headerless_values",
        "Cột {col} có dữ liệu nhưng không có tên cột.",
        "Column {col} has values but no header.",
    ),
    ("sites_io.bad_hot_spot", "Ghi Có hoặc Không.", "Write Có (yes) or Không (no)."),
    ("sites_io.cell_error", "Ô có lỗi công thức {e}.", "The cell holds the formula error {e}."),
    (
        "sites_io.example_row",
        "Đây là dòng ví dụ của tệp mẫu: xóa dòng này.",
        "This is the template's example row: delete it.",
    ),
    // site attachments
    ("attachments.title", "Tài liệu kèm theo", "Attachments"),
    ("attachments.files", "Tệp kèm theo (tài liệu, hình ảnh)", "Attach files (documents, photos)"),
    ("attachments.at_most_cap", "Tối đa", "At most"),
    ("attachments.files_word", "tệp", "files"),
    ("attachments.max_size", "mỗi tệp không quá", "each at most"),
    ("attachments.kinds", "nhận các loại", "accepted kinds"),
    ("attachments.at_most", "tối đa", "at most"),
    (
        "attachments.refused",
        "Chưa lưu bước này và không ghi tệp nào:",
        "The step was not saved and no file was written:",
    ),
    ("attachments.too_many", "Quá nhiều tệp", "Too many files"),
    ("attachments.too_large", "tệp quá lớn", "file too large"),
    ("attachments.empty", "tệp rỗng", "the file is empty"),
    (
        "attachments.type_not_allowed",
        "loại tệp không được phép, nội dung tệp không thuộc các loại được nhận",
        "type not allowed: the content is none of the accepted kinds",
    ),
    (
        "attachments.no_key",
        "Máy chủ chưa có tệp khóa dữ liệu (--key-file) nên không thể lưu hoặc mở tệp kèm theo.",
        "The server has no data key file (--key-file), so attachments cannot be stored or opened.",
    ),
];

static TABLE: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> =
    LazyLock::new(|| ENTRIES.iter().map(|(k, vi, en)| (*k, (*vi, *en))).collect());

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_use_vietnamese_separators() {
        let vi = Tr(Lang::Vi);
        assert_eq!(vi.num(1_234_567), "1.234.567");
        assert_eq!(vi.num(-1000), "-1.000");
        assert_eq!(vi.num(12), "12");
        assert_eq!(vi.dec(1234.5, 1), "1.234,5");
        assert_eq!(Tr(Lang::En).num(1_234_567), "1,234,567");
    }

    #[test]
    fn keys_are_unique_and_both_languages_present() {
        let mut seen = std::collections::HashSet::new();
        for (k, vi, en) in ENTRIES {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(!vi.is_empty() && !en.is_empty(), "{k}");
        }
    }

    #[test]
    fn every_key_used_in_templates_and_code_exists() {
        let root = concat!(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in ["templates", "src"] {
            collect(&std::path::Path::new(root).join(dir), &mut files);
        }
        let mut missing = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            for (i, _) in text.match_indices(".t(\"") {
                let rest = &text[i + 4..];
                if let Some(end) = rest.find('"') {
                    let key = &rest[..end];
                    if key.contains('.') && !key.contains(' ') && !TABLE.contains_key(key) {
                        missing.push(format!("{}: {key}", f.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "missing translations: {missing:#?}");
    }

    fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        if let Ok(rd) = std::fs::read_dir(dir) {
            for e in rd.flatten() {
                let p = e.path();
                if p.is_dir() {
                    collect(&p, out);
                } else {
                    out.push(p);
                }
            }
        }
    }
}
