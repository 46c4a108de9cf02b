//! Documents and photos attached to a record (tài liệu, hình ảnh kèm theo): which kinds
//! are accepted, how large, how many at once, and what a file name may contain. A file's
//! kind is decided from its first bytes (and, for Office files, from the names inside the
//! ZIP container), never from the name or the content type a client sends, so an HTML
//! page renamed `.png` is refused. [`check_files`] is the only way to get a
//! [`CheckedFile`], which is what the store accepts.
//!
//! The sniffing is written here rather than taken from a crate: six formats need a few
//! byte comparisons and one walk of a ZIP central directory, and detection by the first
//! bytes alone (what general-purpose sniffers do for DOCX and XLSX) depends on the order
//! in which the producing program wrote the ZIP entries.

use crate::container::{self, ContainerLimits, ContainerRefusal};
use std::fmt;

/// One mebibyte.
pub const MIB: u64 = 1024 * 1024;

/// The kinds of file that may be attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// PDF document (a scanned decision, a report).
    Pdf,
    /// JPEG photo.
    Jpeg,
    /// PNG image.
    Png,
    /// WebP image (phones).
    Webp,
    /// Word document (Office Open XML).
    Docx,
    /// Excel workbook (Office Open XML).
    Xlsx,
}

impl FileKind {
    /// Every accepted kind.
    pub const ALL: [FileKind; 6] =
        [FileKind::Pdf, FileKind::Jpeg, FileKind::Png, FileKind::Webp, FileKind::Docx, FileKind::Xlsx];

    /// The media type it is stored and served with.
    pub fn mime(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Webp => "image/webp",
            FileKind::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            FileKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    /// The kind of a stored media type.
    pub fn from_mime(s: &str) -> Option<FileKind> {
        FileKind::ALL.into_iter().find(|k| k.mime() == s)
    }

    /// A short name for people ("PDF", "JPEG", …).
    pub fn label(self) -> &'static str {
        match self {
            FileKind::Pdf => "PDF",
            FileKind::Jpeg => "JPEG",
            FileKind::Png => "PNG",
            FileKind::Webp => "WebP",
            FileKind::Docx => "DOCX",
            FileKind::Xlsx => "XLSX",
        }
    }

    /// The file name extensions of this kind, the usual one first (lowercase, no dot).
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            FileKind::Pdf => &["pdf"],
            FileKind::Jpeg => &["jpg", "jpeg", "jfif"],
            FileKind::Png => &["png"],
            FileKind::Webp => &["webp"],
            FileKind::Docx => &["docx"],
            FileKind::Xlsx => &["xlsx"],
        }
    }

    /// The `accept` list of a file input: every extension and media type.
    pub fn accept_list() -> String {
        let mut parts = Vec::new();
        for k in FileKind::ALL {
            parts.extend(k.extensions().iter().map(|e| format!(".{e}")));
            parts.push(k.mime().to_owned());
        }
        parts.join(",")
    }

    /// The kind of `bytes`, judged from their content only; None when it is none of the
    /// accepted kinds.
    pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
        if bytes.starts_with(b"%PDF-") {
            return Some(FileKind::Pdf);
        }
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            return Some(FileKind::Jpeg);
        }
        // The PNG signature, then the IHDR chunk that must come first.
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.get(12..16) == Some(b"IHDR") {
            return Some(FileKind::Png);
        }
        // RIFF container of type WEBP with a VP8, VP8L or VP8X first chunk.
        if bytes.starts_with(b"RIFF")
            && bytes.get(8..12) == Some(b"WEBP")
            && bytes.get(12..15) == Some(b"VP8")
        {
            return Some(FileKind::Webp);
        }
        if bytes.starts_with(b"PK\x03\x04") {
            return office_kind(bytes);
        }
        None
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// DOCX or XLSX from the entry names of a ZIP file: both have `[Content_Types].xml`, and
/// the main part is `word/document.xml` or `xl/workbook.xml`. Any other ZIP is refused.
fn office_kind(bytes: &[u8]) -> Option<FileKind> {
    let names = zip_entry_names(bytes)?;
    let has = |n: &str| names.contains(&n.as_bytes());
    if !has("[Content_Types].xml") {
        return None;
    }
    match (has("word/document.xml"), has("xl/workbook.xml")) {
        (true, false) => Some(FileKind::Docx),
        (false, true) => Some(FileKind::Xlsx),
        _ => None,
    }
}

/// The entry names of a ZIP file's central directory (see [`crate::container::entries`]).
fn zip_entry_names(b: &[u8]) -> Option<Vec<&[u8]>> {
    Some(crate::container::entries(b)?.into_iter().map(|e| e.name).collect())
}

/// How much may be attached to one step. Defaults: 10 MiB per file, 5 files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttachmentLimits {
    /// The largest file, in bytes.
    pub max_file_bytes: u64,
    /// The most files with one step.
    pub max_files: usize,
}

impl Default for AttachmentLimits {
    fn default() -> Self {
        Self { max_file_bytes: 10 * MIB, max_files: 5 }
    }
}

impl AttachmentLimits {
    /// The largest request body that can carry a full step: every file at its limit, plus
    /// 1 MiB for the other fields and the multipart framing.
    pub fn max_body_bytes(&self) -> u64 {
        self.max_file_bytes.saturating_mul(self.max_files as u64).saturating_add(MIB)
    }
}

/// A file as received: its name as sent, its full size, and its bytes (a reader may keep
/// only the first `max_file_bytes + 1` of a file that is too large: the size decides).
#[derive(Debug, Clone)]
pub struct Upload {
    /// The name the client sent.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its content (possibly cut short when `size` is over the limit).
    pub bytes: Vec<u8>,
}

/// Why a file, and so the whole step, was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// More files than [`AttachmentLimits::max_files`].
    TooMany {
        /// How many were sent.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A file over [`AttachmentLimits::max_file_bytes`].
    TooLarge {
        /// The file's name (sanitised).
        name: String,
        /// Its size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// An empty file.
    Empty {
        /// The file's name (sanitised).
        name: String,
    },
    /// Content that is none of the accepted kinds, whatever its name says.
    TypeNotAllowed {
        /// The file's name (sanitised).
        name: String,
    },
    /// A DOCX or XLSX whose ZIP container is out of [`ContainerLimits::ATTACHMENT`]
    /// (a "zip bomb": it would decompress to far more than it weighs).
    Container {
        /// The file's name (sanitised).
        name: String,
        /// What is wrong with the container.
        why: ContainerRefusal,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::TooMany { count, max } => write!(f, "{count} files sent; at most {max} per step"),
            Refusal::TooLarge { name, size, max } => {
                write!(f, "'{name}' is too large ({}; at most {})", human_size(*size), human_size(*max))
            }
            Refusal::Empty { name } => write!(f, "'{name}' is empty"),
            Refusal::TypeNotAllowed { name } => write!(
                f,
                "'{name}' is not an allowed type of file (accepted: {})",
                FileKind::ALL.map(FileKind::label).join(", ")
            ),
            Refusal::Container { name, why } => {
                write!(f, "'{name}' is refused as a compressed container: {why}")
            }
        }
    }
}

/// A size for people: bytes, KiB or MiB with one decimal.
pub fn human_size(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes} B")
    } else if bytes < MIB {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    }
}

/// A file that passed [`check_files`]: an accepted kind, within the size limit, with a
/// safe name whose extension matches its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedFile {
    name: String,
    kind: FileKind,
    bytes: Vec<u8>,
}

impl CheckedFile {
    /// The sanitised name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The kind found in the content.
    pub fn kind(&self) -> FileKind {
        self.kind
    }
    /// The content.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// Checks the files of one step: all of them pass, or the answer lists every refusal.
/// More files than allowed is one refusal on its own (a reader need not keep the extra
/// files). Files with neither a name nor content (an empty file input) are dropped
/// before counting.
pub fn check_files(
    uploads: Vec<Upload>,
    limits: &AttachmentLimits,
) -> Result<Vec<CheckedFile>, Vec<Refusal>> {
    let uploads: Vec<Upload> =
        uploads.into_iter().filter(|u| !(u.name.trim().is_empty() && u.size == 0)).collect();
    if uploads.len() > limits.max_files {
        return Err(vec![Refusal::TooMany { count: uploads.len(), max: limits.max_files }]);
    }
    let mut refused = Vec::new();
    let mut ok = Vec::with_capacity(uploads.len());
    for u in uploads {
        let name = sanitize_file_name(&u.name);
        if u.size > limits.max_file_bytes || u.bytes.len() as u64 > limits.max_file_bytes {
            refused.push(Refusal::TooLarge { name, size: u.size, max: limits.max_file_bytes });
            continue;
        }
        if u.bytes.is_empty() {
            refused.push(Refusal::Empty { name });
            continue;
        }
        let Some(kind) = FileKind::sniff(&u.bytes) else {
            refused.push(Refusal::TypeNotAllowed { name });
            continue;
        };
        if matches!(kind, FileKind::Docx | FileKind::Xlsx)
            && let Err(why) = container::check(&u.bytes, &ContainerLimits::ATTACHMENT)
        {
            refused.push(Refusal::Container { name, why });
            continue;
        }
        ok.push(CheckedFile { name: with_extension_of(name, kind), kind, bytes: u.bytes });
    }
    if refused.is_empty() { Ok(ok) } else { Err(refused) }
}

/// The longest file name kept, in characters.
const MAX_NAME_CHARS: usize = 120;

/// A file name safe to store and to send back in a `Content-Disposition` header: the last
/// path component only, Unicode NFC, without control or invisible direction characters,
/// double quotes or the other characters Windows forbids, without leading dots, at most 120 characters (the
/// extension kept), and `tep-dinh-kem` when nothing is left.
pub fn sanitize_file_name(raw: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .nfc()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|c| {
            !c.is_control() && !is_invisible(*c) && !matches!(c, '"' | '<' | '>' | ':' | '*' | '?' | '|')
        })
        .collect();
    let collapsed = cleaned.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ");
    let trimmed = collapsed.trim_start_matches(['.', ' ']).trim_end_matches(['.', ' ']);
    if trimmed.is_empty() {
        return "tep-dinh-kem".to_owned();
    }
    if trimmed.chars().count() <= MAX_NAME_CHARS {
        return trimmed.to_owned();
    }
    let (stem, ext) = split_ext(trimmed);
    let ext: String = ext.chars().take(10).collect();
    let keep = MAX_NAME_CHARS - ext.chars().count() - usize::from(!ext.is_empty());
    let stem: String = stem.chars().take(keep).collect();
    if ext.is_empty() { stem } else { format!("{}.{ext}", stem.trim_end()) }
}

/// Bidirectional overrides and zero-width characters: they can make "hinh\u{202E}gpj.exe"
/// look like "hinhexe.jpg".
fn is_invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

fn split_ext(name: &str) -> (&str, &str) {
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && !ext.contains(' ') => (stem, ext),
        _ => (name, ""),
    }
}

/// Adds the kind's usual extension when the name's own does not belong to the kind, so a
/// downloaded file opens with the right program ("anh.jpg" holding a PNG becomes
/// "anh.jpg.png").
fn with_extension_of(name: String, kind: FileKind) -> String {
    let (_, ext) = split_ext(&name);
    if kind.extensions().iter().any(|e| e.eq_ignore_ascii_case(ext)) {
        name
    } else {
        format!("{name}.{}", kind.extensions()[0])
    }
}

#[cfg(test)]
mod tests;
