//! Text folding for search. Vietnamese names are searched without regard to case or
//! diacritics ("quang ngai" finds "Quảng Ngãi"), so names are stored with a folded twin.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Folds text for accent- and case-insensitive matching: decomposes (NFD), drops the
/// combining marks, maps đ/Đ to d (a letter of its own, not a mark), lowercases and
/// collapses runs of whitespace into one space.
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfd() {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        match c {
            'đ' | 'Đ' => out.push('d'),
            _ => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// The same text without diacritics, case kept (đ/Đ become d/D): an ASCII-friendly form
/// for places that cannot carry Vietnamese, such as the fallback file name of a download.
pub fn without_accents(s: &str) -> String {
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            'đ' => 'd',
            'Đ' => 'D',
            _ => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{fold, without_accents};

    #[test]
    fn strips_accents_and_keeps_case() {
        assert_eq!(without_accents("Quyết định Đắk Tô.pdf"), "Quyet dinh Dak To.pdf");
    }
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn folds_vietnamese_names_alike() {
        for s in ["Quảng Ngãi", "QUẢNG NGÃI", "quang ngai", "  Quảng   Ngãi "] {
            assert_eq!(fold(s), "quang ngai", "{s}");
        }
        assert_eq!(fold("Đắk Tô"), "dak to");
        assert_eq!(fold("Phường Cẩm Thành"), "phuong cam thanh");
    }

    #[test]
    fn decomposed_input_folds_like_composed() {
        let decomposed: String = "Nguyễn".chars().collect::<String>().nfd().collect();
        assert_eq!(fold(&decomposed), fold("Nguyễn"));
    }
}
