//! Refusals of hostile or unreadable input: limits of imported files, text encodings,
//! control characters and body sizes. (key, Vietnamese, English).

pub(super) static ENTRIES: &[(&str, &str, &str)] = &[
    (
        "limits.sheet_reach",
        "Trang tính {part} dùng ô {cell}, vượt quá giới hạn (tối đa {rows} dòng và đến cột {col}). Hãy xóa các dòng, cột thừa hoặc chép dữ liệu sang một tệp mới.",
        "The worksheet {part} uses the cell {cell}, beyond the limit (at most {rows} rows and up to column {col}). Delete the extra rows and columns or copy the data into a new file.",
    ),
    (
        "limits.sheet_cells",
        "Trang tính {part} trải trên {n} ô, vượt quá giới hạn {max} ô.",
        "The worksheet {part} spans {n} cells, more than the limit of {max}.",
    ),
    (
        "limits.shared_strings",
        "Tệp chứa quá nhiều chữ (tối đa {n} chuỗi và {size}).",
        "The file holds too much text (at most {n} strings and {size}).",
    ),
    (
        "limits.cell_text",
        "Các ô của trang tính {part} chứa quá nhiều chữ (tối đa {size}).",
        "The cells of the worksheet {part} hold too much text (at most {size}).",
    ),
    (
        "limits.zip_unreadable",
        "Tệp không phải là tệp nén Office đọc được.",
        "The file is not a readable Office container.",
    ),
    (
        "limits.zip_entries",
        "Tệp nén chứa {n} thành phần, vượt quá giới hạn {max}.",
        "The container holds {n} parts, more than the limit of {max}.",
    ),
    (
        "limits.zip_entry",
        "Thành phần {part} khi giải nén lớn {size}, vượt quá giới hạn {max}.",
        "The part {part} decompresses to {size}, more than the limit of {max}.",
    ),
    (
        "limits.zip_total",
        "Tệp khi giải nén lớn {size}, vượt quá giới hạn {max}.",
        "The file decompresses to {size}, more than the limit of {max}.",
    ),
    (
        "limits.zip_ratio",
        "Thành phần {part} bị nén {n} lần, vượt quá mức {max} lần của tài liệu thông thường (nghi là tệp nén độc hại).",
        "The part {part} is compressed {n} times, beyond the {max} times of real documents (it looks like a zip bomb).",
    ),
    (
        "limits.not_utf8",
        "Tệp không dùng bảng mã UTF-8 (từ dòng {line}; có thể là {enc}). Hãy lưu lại với bảng mã UTF-8: trong Excel chọn Tệp › Lưu thành › kiểu “CSV UTF-8 (Comma delimited) (*.csv)”; trong LibreOffice Calc chọn Tệp › Lưu thành › “Văn bản CSV (.csv)”, đánh dấu “Sửa thiết lập bộ lọc” rồi chọn bộ ký tự “Unicode (UTF-8)”.",
        "The file is not UTF-8 (from line {line}; probably {enc}). Save it as UTF-8: in Excel choose File › Save As › “CSV UTF-8 (Comma delimited) (*.csv)”; in LibreOffice Calc choose File › Save As › “Text CSV (.csv)”, tick “Edit filter settings” and pick the character set “Unicode (UTF-8)”.",
    ),
    (
        "limits.control_char",
        "Văn bản chứa ký tự điều khiển không được phép ({code}); chỉ chấp nhận tab và xuống dòng.",
        "The text holds a control character that is not allowed ({code}); only tab and line breaks are accepted.",
    ),
    (
        "limits.control_line",
        "Dòng {line}: văn bản chứa ký tự điều khiển không được phép ({code}); chỉ chấp nhận tab và xuống dòng.",
        "Line {line}: the text holds a control character that is not allowed ({code}); only tab and line breaks are accepted.",
    ),
    (
        "limits.form_not_utf8",
        "Dữ liệu gửi lên không phải văn bản UTF-8 hợp lệ.",
        "The data sent is not valid UTF-8 text.",
    ),
    (
        "limits.too_large",
        "Dữ liệu gửi lên quá lớn: tối đa {max}.",
        "The data sent is too large: at most {max}.",
    ),
    ("limits.too_many_fields", "Dòng {line} có hơn {max} cột.", "Line {line} has more than {max} columns."),
    (
        "limits.too_many_lines",
        "Tệp có quá nhiều dòng (tối đa {max}).",
        "The file has too many lines (at most {max}).",
    ),
    (
        "limits.server_too_large",
        "Dữ liệu gửi lên vượt quá giới hạn của máy chủ (tối đa {max} cho mỗi yêu cầu).",
        "The data sent is over the server's limit (at most {max} per request).",
    ),
];
