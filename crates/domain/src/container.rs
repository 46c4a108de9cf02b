//! What a ZIP container (an XLSX workbook, a DOCX document) says about itself before
//! anything is decompressed: its entries, as the central directory lists them, and the
//! limits a file must stay within to be accepted (gói nén: how many entries, how large
//! once decompressed, how strongly compressed). A "zip bomb" is a small file whose
//! entries decompress to gigabytes; refusing it from the directory costs nothing.
//!
//! The directory is what the sender wrote, so the sizes may lie. Whoever then
//! decompresses an entry must still stop at the declared size (the web import does); a
//! file that is only stored and handed back (an attachment) is never decompressed here.

use std::fmt;

/// One entry of the central directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry<'a> {
    /// The entry's name as stored (normally UTF-8 or ASCII).
    pub name: &'a [u8],
    /// The compression method (0 stored, 8 deflate).
    pub method: u16,
    /// The size of its compressed data.
    pub compressed: u64,
    /// The size it declares once decompressed.
    pub uncompressed: u64,
}

impl Entry<'_> {
    /// The name for people (invalid UTF-8 replaced).
    pub fn display_name(&self) -> String {
        String::from_utf8_lossy(self.name).into_owned()
    }
}

/// The most entries a directory is read for (Office files have a few dozen).
pub const MAX_ENTRIES: usize = 10_000;

/// How large and how compressed a container may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContainerLimits {
    /// The most entries.
    pub max_entries: usize,
    /// The largest entry once decompressed, in bytes.
    pub max_entry_bytes: u64,
    /// The largest sum of all entries once decompressed, in bytes.
    pub max_total_bytes: u64,
    /// The highest ratio of decompressed to compressed size of one entry, checked for
    /// entries of at least [`ContainerLimits::ratio_from_bytes`] (tiny entries may
    /// compress very well without harm).
    pub max_ratio: u64,
    /// The size from which the ratio is checked.
    pub ratio_from_bytes: u64,
}

impl ContainerLimits {
    /// For documents attached to records: they are stored and downloaded, never opened
    /// here, so the limits protect whoever opens them (generous: photos in a DOCX).
    pub const ATTACHMENT: ContainerLimits = ContainerLimits {
        max_entries: 2_000,
        max_entry_bytes: 256 * 1024 * 1024,
        max_total_bytes: 512 * 1024 * 1024,
        max_ratio: 200,
        ratio_from_bytes: 1024 * 1024,
    };
}

/// Why a container was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContainerRefusal {
    /// Not a readable ZIP archive (or a ZIP64 one, which Office files never need).
    Unreadable,
    /// More entries than allowed.
    TooManyEntries {
        /// How many the directory lists.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// An entry that would decompress beyond the limit.
    EntryTooLarge {
        /// The entry's name.
        name: String,
        /// Its declared (or measured) size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// All entries together would decompress beyond the limit.
    TotalTooLarge {
        /// The sum of the sizes.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// An entry compressed far more strongly than real documents are.
    RatioTooHigh {
        /// The entry's name.
        name: String,
        /// Its ratio, rounded down.
        ratio: u64,
        /// The limit.
        max: u64,
    },
}

impl fmt::Display for ContainerRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::attachment::human_size;
        match self {
            Self::Unreadable => f.write_str("not a readable ZIP container"),
            Self::TooManyEntries { count, max } => write!(f, "{count} entries; at most {max}"),
            Self::EntryTooLarge { name, size, max } => {
                write!(f, "'{name}' decompresses to {}; at most {}", human_size(*size), human_size(*max))
            }
            Self::TotalTooLarge { size, max } => {
                write!(f, "decompresses to {}; at most {}", human_size(*size), human_size(*max))
            }
            Self::RatioTooHigh { name, ratio, max } => {
                write!(f, "'{name}' is compressed {ratio} times; at most {max}")
            }
        }
    }
}

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    b.get(at..at.checked_add(2)?).map(|s| u16::from_le_bytes([s[0], s[1]]))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    b.get(at..at.checked_add(4)?).map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

/// The entries of a ZIP archive's central directory, found from the end-of-central-
/// directory record in the last 64 KiB + 22 bytes, where the format puts it. None when
/// the structure is not a well-formed, non-ZIP64 archive of 1 to [`MAX_ENTRIES`]
/// entries whose directory lies inside the file. Nothing is allocated per entry beyond
/// the returned list.
pub fn entries(b: &[u8]) -> Option<Vec<Entry<'_>>> {
    const EOCD: &[u8; 4] = b"PK\x05\x06";
    const CDH: &[u8; 4] = b"PK\x01\x02";
    const EOCD_LEN: usize = 22;
    if b.len() < EOCD_LEN {
        return None;
    }
    let lowest = b.len().saturating_sub(EOCD_LEN + 0xFFFF);
    let eocd = (lowest..=b.len() - EOCD_LEN).rev().find(|&i| &b[i..i + 4] == EOCD)?;
    let count = usize::from(u16_at(b, eocd + 10)?);
    let cd_size = usize::try_from(u32_at(b, eocd + 12)?).ok()?;
    let cd_offset = usize::try_from(u32_at(b, eocd + 16)?).ok()?;
    if count == 0 || count > MAX_ENTRIES || cd_offset.checked_add(cd_size)? > eocd {
        return None;
    }
    let mut out = Vec::with_capacity(count);
    let mut at = cd_offset;
    for _ in 0..count {
        if b.get(at..at.checked_add(4)?)? != CDH {
            return None;
        }
        let method = u16_at(b, at + 10)?;
        let compressed = u32_at(b, at + 20)?;
        let uncompressed = u32_at(b, at + 24)?;
        // 0xFFFFFFFF sends the reader to a ZIP64 extra field: not for Office files here.
        if compressed == u32::MAX || uncompressed == u32::MAX {
            return None;
        }
        let name_len = usize::from(u16_at(b, at + 28)?);
        let extra_len = usize::from(u16_at(b, at + 30)?);
        let comment_len = usize::from(u16_at(b, at + 32)?);
        let name = b.get(at + 46..at + 46 + name_len)?;
        out.push(Entry { name, method, compressed: compressed.into(), uncompressed: uncompressed.into() });
        at += 46 + name_len + extra_len + comment_len;
    }
    Some(out)
}

/// Checks a container's directory against `limits`: every entry's declared size and
/// compression ratio, and their sum. Returns the entries when it passes.
pub fn check<'a>(b: &'a [u8], limits: &ContainerLimits) -> Result<Vec<Entry<'a>>, ContainerRefusal> {
    let list = entries(b).ok_or(ContainerRefusal::Unreadable)?;
    if list.len() > limits.max_entries {
        return Err(ContainerRefusal::TooManyEntries { count: list.len(), max: limits.max_entries });
    }
    let mut total: u64 = 0;
    for e in &list {
        if e.uncompressed > limits.max_entry_bytes {
            return Err(ContainerRefusal::EntryTooLarge {
                name: e.display_name(),
                size: e.uncompressed,
                max: limits.max_entry_bytes,
            });
        }
        if e.uncompressed >= limits.ratio_from_bytes {
            let ratio = e.uncompressed / e.compressed.max(1);
            if ratio > limits.max_ratio {
                return Err(ContainerRefusal::RatioTooHigh {
                    name: e.display_name(),
                    ratio,
                    max: limits.max_ratio,
                });
            }
        }
        total = total.saturating_add(e.uncompressed);
    }
    if total > limits.max_total_bytes {
        return Err(ContainerRefusal::TotalTooLarge { size: total, max: limits.max_total_bytes });
    }
    Ok(list)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stored (uncompressed) ZIP whose central directory declares `declared` as the
    /// decompressed size of each entry.
    fn zip_declaring(entries: &[(&str, &[u8], u32)]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut dir = Vec::new();
        for (name, data, declared) in entries {
            let offset = out.len() as u32;
            out.extend_from_slice(b"PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00");
            out.extend_from_slice(&[0; 4]);
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&declared.to_le_bytes());
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&[0, 0]);
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(data);
            dir.extend_from_slice(b"PK\x01\x02\x14\x00\x14\x00\x00\x00\x00\x00\x00\x00\x00\x00");
            dir.extend_from_slice(&[0; 4]);
            dir.extend_from_slice(&(data.len() as u32).to_le_bytes());
            dir.extend_from_slice(&declared.to_le_bytes());
            dir.extend_from_slice(&(name.len() as u16).to_le_bytes());
            dir.extend_from_slice(&[0; 12]);
            dir.extend_from_slice(&offset.to_le_bytes());
            dir.extend_from_slice(name.as_bytes());
        }
        let cd_offset = out.len() as u32;
        out.extend_from_slice(&dir);
        out.extend_from_slice(b"PK\x05\x06\x00\x00\x00\x00");
        let n = entries.len() as u16;
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(&(dir.len() as u32).to_le_bytes());
        out.extend_from_slice(&cd_offset.to_le_bytes());
        out.extend_from_slice(&[0, 0]);
        out
    }

    const SMALL: ContainerLimits = ContainerLimits {
        max_entries: 3,
        max_entry_bytes: 1000,
        max_total_bytes: 1500,
        max_ratio: 10,
        ratio_from_bytes: 100,
    };

    #[test]
    fn an_honest_small_container_passes() {
        let z = zip_declaring(&[("a.xml", b"hello", 5), ("b.xml", b"world", 5)]);
        let list = check(&z, &SMALL).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].name, b"a.xml");
        assert_eq!(list[1].uncompressed, 5);
    }

    #[test]
    fn declared_sizes_and_ratios_are_limited() {
        let big = zip_declaring(&[("sheet.xml", &[b'x'; 200], 2000)]);
        assert!(matches!(check(&big, &SMALL), Err(ContainerRefusal::EntryTooLarge { size: 2000, .. })));
        let bomb = zip_declaring(&[("sheet.xml", b"xx", 900)]);
        assert!(matches!(check(&bomb, &SMALL), Err(ContainerRefusal::RatioTooHigh { ratio: 450, .. })));
        let total = zip_declaring(&[("a", &[b'x'; 100], 800), ("b", &[b'x'; 100], 800)]);
        assert!(matches!(check(&total, &SMALL), Err(ContainerRefusal::TotalTooLarge { size: 1600, .. })));
        let many = zip_declaring(&[("a", b"", 0), ("b", b"", 0), ("c", b"", 0), ("d", b"", 0)]);
        assert!(matches!(check(&many, &SMALL), Err(ContainerRefusal::TooManyEntries { count: 4, .. })));
        let zip64 = zip_declaring(&[("a", b"", u32::MAX)]);
        assert_eq!(check(&zip64, &SMALL), Err(ContainerRefusal::Unreadable));
    }

    #[test]
    fn broken_directories_are_unreadable_not_a_panic() {
        let z = zip_declaring(&[("a.xml", b"hello", 5)]);
        for cut in 0..z.len() {
            let _ = entries(&z[..cut]);
            let mut bent = z.clone();
            bent[cut] ^= 0xFF;
            let _ = entries(&bent);
        }
        assert_eq!(check(b"not a zip", &SMALL), Err(ContainerRefusal::Unreadable));
    }
}
