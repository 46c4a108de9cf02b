//! Authentication and authorisation messages (key, Vietnamese, English).

pub(super) static ENTRIES: &[(&str, &str, &str)] = &[
    ("auth.logout", "Đăng xuất", "Sign out"),
    ("auth.login", "Đăng nhập", "Sign in"),
    ("auth.login_title", "Đăng nhập hệ thống", "Sign in"),
    ("auth.username", "Tên đăng nhập", "Username"),
    ("auth.password", "Mật khẩu", "Password"),
    ("auth.invalid", "Tên đăng nhập hoặc mật khẩu không đúng.", "Wrong username or password."),
    ("auth.throttled", "Đăng nhập sai quá nhiều lần.", "Too many failed sign-ins."),
    ("auth.retry_at", "Vui lòng thử lại từ {time}.", "Try again from {time}."),
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
];
