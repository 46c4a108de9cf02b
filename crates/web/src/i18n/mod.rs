//! Every visible string goes through [`Tr::t`]: Vietnamese first, English second. A key
//! missing from the table shows as the key itself (a test checks that every key used in
//! the templates and the code is in the table).

use std::collections::HashMap;
use std::sync::LazyLock;

mod account;
mod admin;
mod analytics;
mod areas;
mod auth;
mod breaches;
mod cases;
mod classification;
mod common;
mod dashboard;
mod limits;
mod operations;
mod parameters;
mod person_records;
mod persons;
mod plans;
mod reports;
mod sites;
mod units;

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

/// Every table, by area of the application.
const ENTRY_TABLES: &[&[(&str, &str, &str)]] = &[
    common::ENTRIES,
    limits::ENTRIES,
    auth::ENTRIES,
    account::ENTRIES,
    dashboard::ENTRIES,
    units::ENTRIES,
    persons::ENTRIES,
    person_records::ENTRIES,
    sites::ENTRIES,
    parameters::ENTRIES,
    classification::ENTRIES,
    areas::ENTRIES,
    admin::ENTRIES,
    operations::ENTRIES,
    operations::ESCALATIONS,
    operations::BUSINESSES,
    cases::ENTRIES,
    plans::ENTRIES,
    reports::ENTRIES,
    breaches::ENTRIES,
    analytics::ENTRIES,
];

/// (key, Vietnamese, English), from every area.
pub(crate) fn entries() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    ENTRY_TABLES.iter().flat_map(|t| t.iter())
}

static TABLE: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> =
    LazyLock::new(|| entries().map(|(k, vi, en)| (*k, (*vi, *en))).collect());

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
        for (k, vi, en) in entries() {
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
