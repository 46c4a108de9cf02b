//! Text folding for search, and the one rule on which characters text may hold.
//! Vietnamese names are searched without regard to case or diacritics ("quang ngai"
//! finds "Quảng Ngãi"), so names are stored with a folded twin. Control characters other
//! than tab, line feed and carriage return are refused wherever text enters
//! ([`forbidden_control`]): PostgreSQL cannot store NUL at all, SQLite stores it, and
//! neither should hold text that prints differently from what it contains.

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

/// The first character of `s` that text in diaban may not hold: a control character
/// (Unicode category Cc: C0, DEL, C1) other than tab, line feed and carriage return.
pub fn forbidden_control(s: &str) -> Option<char> {
    s.chars().find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// How a forbidden character is named to people: `U+0000`.
pub fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

#[cfg(test)]
mod tests {
    use super::{code_point, fold, forbidden_control, without_accents};

    #[test]
    fn control_characters_but_tab_and_line_ends_are_forbidden() {
        assert_eq!(forbidden_control("Quảng Ngãi\tx\r\ny"), None);
        assert_eq!(forbidden_control("a\u{0}b"), Some('\u{0}'));
        assert_eq!(forbidden_control("\u{7f}"), Some('\u{7f}'));
        assert_eq!(forbidden_control("\u{85}"), Some('\u{85}'));
        assert_eq!(forbidden_control("\u{1b}[31m"), Some('\u{1b}'));
        assert_eq!(code_point('\u{0}'), "U+0000");
    }

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
