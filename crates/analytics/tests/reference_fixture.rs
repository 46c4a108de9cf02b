//! The committed fixture: incidents and the output the independent Python
//! reference (`reference/ehsa_reference.py`) produced for them. The Rust
//! output must match it byte for byte.

use std::path::Path;

use diaban_analytics::incidents::{ParseOptions, read_csv};
use diaban_analytics::{Ehsa, write_ehsa_csv};

fn check(analysis: Ehsa, expected_file: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference");
    let parsed = read_csv(&dir.join("fixture_incidents.csv"), ParseOptions::new()).unwrap();
    let report = analysis.analyse(&parsed.incidents).unwrap();
    let mut out = Vec::new();
    write_ehsa_csv(report.rows(), &mut out).unwrap();
    let got = String::from_utf8(out).unwrap();
    let expected = std::fs::read_to_string(dir.join(expected_file)).unwrap();
    for (line, (g, e)) in got.lines().zip(expected.lines()).enumerate() {
        assert_eq!(g, e, "{expected_file}, line {}", line + 1);
    }
    assert_eq!(got.lines().count(), expected.lines().count());
    assert_eq!(got, expected);
}

#[test]
fn default_parameters_match_the_reference() {
    check(Ehsa::default(), "fixture_expected_default.csv");
}

#[test]
fn other_parameters_match_the_reference() {
    let analysis =
        Ehsa::builder().resolution(9).rings(2).time_steps(2).alpha(0.1).fdr(false).build().unwrap();
    check(analysis, "fixture_expected_res9_k2_n2_alpha0.1_nofdr.csv");
}
