//! Persons' records. (key, Vietnamese, English).

pub(super) static ENTRIES: &[(&str, &str, &str)] = &[
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
    (
        "persons.elsewhere",
        "Đơn vị của đồng chí không ghi nhận được số định danh này. Trường hợp đã được chuyển Phòng PC04 xem xét.",
        "Your unit cannot record this identity number. The case has been passed to the provincial drug police (PC04).",
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
    ("persons.linked_sites", "Điểm, tụ điểm liên quan", "Linked drug sites"),
];
