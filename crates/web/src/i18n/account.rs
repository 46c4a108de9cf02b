//! Signing in, the account page and two-factor set-up. (key, Vietnamese, English).

pub(super) static ENTRIES: &[(&str, &str, &str)] = &[
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
];
