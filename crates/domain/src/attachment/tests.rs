use super::*;

/// A stored (uncompressed) ZIP with these entries, as Office and other writers make them:
/// local headers with the data, then the central directory, then its end record.
fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in entries {
        let offset = out.len() as u32;
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]); // version, flags, method, time, date
        out.extend_from_slice(&0u32.to_le_bytes()); // crc (not checked by the sniff)
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(data.len() as u32).to_le_bytes());
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);

        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&[20, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        central.extend_from_slice(&0u32.to_le_bytes());
        central.extend_from_slice(&(data.len() as u32).to_le_bytes());
        central.extend_from_slice(&(data.len() as u32).to_le_bytes());
        central.extend_from_slice(&(name.len() as u16).to_le_bytes());
        central.extend_from_slice(&[0, 0, 0, 0, 0, 0, 0, 0]); // extra, comment, disk, internal attrs
        central.extend_from_slice(&0u32.to_le_bytes()); // external attrs
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

fn png() -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    b.extend_from_slice(&[0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
    b
}

fn upload(name: &str, bytes: &[u8]) -> Upload {
    Upload { name: name.into(), size: bytes.len() as u64, bytes: bytes.to_vec() }
}

#[test]
fn sniffs_each_accepted_kind_from_its_bytes() {
    let docx = zip(&[
        ("[Content_Types].xml", b"<Types/>"),
        ("_rels/.rels", b"<Relationships/>"),
        ("word/document.xml", b"<w:document/>"),
    ]);
    // The main part first and the content types last: writers do not agree on the order.
    let xlsx = zip(&[("xl/workbook.xml", b"<workbook/>"), ("[Content_Types].xml", b"<Types/>")]);
    let cases: [(&[u8], FileKind); 6] = [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", FileKind::Pdf),
        (&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, b'J', b'F', b'I', b'F'], FileKind::Jpeg),
        (&png(), FileKind::Png),
        (b"RIFF\x24\0\0\0WEBPVP8 \x18\0\0\0", FileKind::Webp),
        (&docx, FileKind::Docx),
        (&xlsx, FileKind::Xlsx),
    ];
    for (bytes, kind) in cases {
        assert_eq!(FileKind::sniff(bytes), Some(kind), "{kind}");
        assert_eq!(FileKind::from_mime(kind.mime()), Some(kind));
    }
}

#[test]
fn refuses_what_only_claims_to_be_allowed() {
    let cases: [(&str, Vec<u8>); 9] = [
        ("an HTML page", b"<!DOCTYPE html><script>alert(1)</script>".to_vec()),
        ("a Windows program", b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff".to_vec()),
        ("an SVG image", b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>".to_vec()),
        ("a GIF image", b"GIF89a\x01\0\x01\0".to_vec()),
        ("a PNG signature without IHDR", b"\x89PNG\r\n\x1a\n<html>".to_vec()),
        ("a RIFF that is a WAV", b"RIFF\x24\0\0\0WAVEfmt ".to_vec()),
        ("a plain ZIP", zip(&[("notes.txt", b"hello")])),
        ("an OpenDocument text", zip(&[("mimetype", b"application/vnd.oasis.opendocument.text")])),
        ("a truncated ZIP", b"PK\x03\x04\x14\0\0\0".to_vec()),
    ];
    for (what, bytes) in cases {
        assert_eq!(FileKind::sniff(&bytes), None, "{what}");
    }
    // Both main parts: not a document we can name, so refused.
    let both = zip(&[("[Content_Types].xml", b""), ("word/document.xml", b""), ("xl/workbook.xml", b"")]);
    assert_eq!(FileKind::sniff(&both), None);
}

#[test]
fn a_central_directory_pointing_outside_the_file_is_not_read() {
    let mut z = zip(&[("[Content_Types].xml", b""), ("word/document.xml", b"")]);
    let n = z.len();
    // cd_offset of the end record, pointed far away.
    z[n - 6..n - 2].copy_from_slice(&u32::MAX.to_le_bytes());
    assert_eq!(FileKind::sniff(&z), None);
    // A huge entry name length in the first central header.
    let mut z = zip(&[("[Content_Types].xml", b""), ("word/document.xml", b"")]);
    let cd = z.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    z[cd + 28..cd + 30].copy_from_slice(&u16::MAX.to_le_bytes());
    assert_eq!(FileKind::sniff(&z), None);
}

#[test]
fn check_files_accepts_within_limits_and_names_every_refusal() {
    let limits = AttachmentLimits { max_file_bytes: 100, max_files: 2 };
    let ok = check_files(vec![upload("ảnh hiện trường.png", &png()), upload("", &[])], &limits).unwrap();
    assert_eq!(ok.len(), 1, "the empty file input is dropped");
    assert_eq!(ok[0].name(), "ảnh hiện trường.png");
    assert_eq!(ok[0].kind(), FileKind::Png);
    assert_eq!(ok[0].bytes(), png().as_slice());

    let limits = AttachmentLimits { max_file_bytes: 100, max_files: 4 };
    let big = Upload { name: "big.pdf".into(), size: 101, bytes: b"%PDF-".to_vec() };
    let err = check_files(
        vec![upload("a.png", &png()), big, upload("trang.png", b"<html></html>"), upload("rong.pdf", b"")],
        &limits,
    )
    .unwrap_err();
    assert_eq!(
        err,
        vec![
            Refusal::TooLarge { name: "big.pdf".into(), size: 101, max: 100 },
            Refusal::TypeNotAllowed { name: "trang.png".into() },
            Refusal::Empty { name: "rong.pdf".into() },
        ]
    );
    assert_eq!(err[0].to_string(), "'big.pdf' is too large (101 B; at most 100 B)");
    assert!(err[1].to_string().contains("PDF, JPEG, PNG, WebP, DOCX, XLSX"));

    // Too many is said once, whatever the files are.
    let five = vec![upload("a.png", &png()); 5];
    assert_eq!(check_files(five, &limits).unwrap_err(), vec![Refusal::TooMany { count: 5, max: 4 }]);
}

#[test]
fn default_limits_are_ten_mebibytes_and_five_files() {
    let l = AttachmentLimits::default();
    assert_eq!((l.max_file_bytes, l.max_files), (10 * 1024 * 1024, 5));
    assert_eq!(l.max_body_bytes(), 51 * 1024 * 1024);
    assert_eq!(human_size(10 * MIB + 1), "10.0 MiB");
    assert_eq!(human_size(1536), "1.5 KiB");
}

#[test]
fn a_wrong_extension_gets_the_right_one_added() {
    let limits = AttachmentLimits::default();
    let ok = check_files(
        vec![upload("anh.jpg", &png()), upload("ANH.PNG", &png()), upload("bien ban", b"%PDF-1.4")],
        &limits,
    )
    .unwrap();
    let names: Vec<&str> = ok.iter().map(CheckedFile::name).collect();
    assert_eq!(names, ["anh.jpg.png", "ANH.PNG", "bien ban.pdf"]);
}

#[test]
fn file_names_are_made_safe() {
    let cases = [
        ("C:\\Users\\an\\Desktop\\quyết định.pdf", "quyết định.pdf"),
        ("../../etc/passwd", "passwd"),
        ("a\"b<c>d:e*f?g|h.pdf", "abcdefgh.pdf"),
        ("dòng\r\nmới\t.pdf", "dòng mới .pdf"),
        ("...ẩn.pdf", "ẩn.pdf"),
        ("hinh\u{202E}gpj.exe", "hinhgpj.exe"),
        ("  ", "tep-dinh-kem"),
        ("", "tep-dinh-kem"),
        ("..", "tep-dinh-kem"),
    ];
    for (raw, want) in cases {
        assert_eq!(sanitize_file_name(raw), want, "{raw:?}");
    }
    // Decomposed Vietnamese (as macOS sends it) is stored composed.
    let nfd: String = {
        use unicode_normalization::UnicodeNormalization;
        "Quyết định.pdf".nfd().collect()
    };
    assert_eq!(sanitize_file_name(&nfd), "Quyết định.pdf");
    // Long names keep their extension.
    let long = format!("{}.docx", "ả".repeat(300));
    let s = sanitize_file_name(&long);
    assert_eq!(s.chars().count(), 120);
    assert!(s.ends_with("ả.docx"), "{s}");
}

#[test]
fn the_accept_list_names_every_kind() {
    let a = FileKind::accept_list();
    for k in FileKind::ALL {
        assert!(a.contains(k.mime()), "{a}");
    }
    assert!(a.starts_with(".pdf,application/pdf,.jpg"), "{a}");
}
