//! Measures the cost of a login on this machine: `hash_password` (at
//! registration or password change) and `verify_password` / `dummy_verify`
//! (at every login), with the default parameters, plus the per-field cost of
//! sealing, opening and blind-indexing for comparison.
//!
//! Run with `cargo run --release --example password_timing [rounds]`.

use std::time::{Duration, Instant};

use diaban_vault::{KeyRing, VaultError, password};

fn main() -> Result<(), VaultError> {
    let rounds: u32 = std::env::args().nth(1).and_then(|arg| arg.parse().ok()).unwrap_or(10);
    let secret = "một mật khẩu đủ dài";
    let params = password::PasswordParams::default();
    println!(
        "argon2id m={} KiB, t={}, p={}; {rounds} rounds each",
        params.memory_kib, params.iterations, params.parallelism
    );

    let mut phc = String::new();
    let hash = time(rounds, || {
        phc = password::hash_password(secret)?;
        Ok(())
    })?;
    report("hash_password", &hash);
    let right = time(rounds, || check(password::verify_password(secret, &phc)?))?;
    report("verify_password (right password)", &right);
    let wrong = time(rounds, || check(!password::verify_password("wrong", &phc)?))?;
    report("verify_password (wrong password)", &wrong);
    let dummy = time(rounds, || {
        password::dummy_verify();
        Ok(())
    })?;
    report("dummy_verify", &dummy);

    let ring = KeyRing::generate();
    let many = rounds * 1000;
    let mut sealed = String::new();
    let seal = time(many, || {
        sealed = ring.seal("Nguyễn Văn A", b"person:name");
        Ok(())
    })?;
    report("seal (12-character name)", &seal);
    let open = time(many, || check(ring.open(&sealed, b"person:name")? == "Nguyễn Văn A"))?;
    report("open (12-character name)", &open);
    let blind = time(many, || {
        std::hint::black_box(ring.blind_name_birthyear("Nguyễn Văn A", 1990));
        Ok(())
    })?;
    report("blind_name_birthyear", &blind);
    Ok(())
}

/// Stops the measurement if a result is wrong: timing a broken function
/// would be meaningless.
fn check(ok: bool) -> Result<(), VaultError> {
    if ok { Ok(()) } else { Err(VaultError::DecryptionFailed) }
}

fn time(rounds: u32, mut f: impl FnMut() -> Result<(), VaultError>) -> Result<Vec<Duration>, VaultError> {
    (0..rounds.max(1))
        .map(|_| {
            let start = Instant::now();
            f()?;
            Ok(start.elapsed())
        })
        .collect()
}

fn report(what: &str, samples: &[Duration]) {
    let mut sorted = samples.to_vec();
    sorted.sort();
    let (Some(min), Some(max)) = (sorted.first(), sorted.last()) else {
        return;
    };
    let median = sorted[sorted.len() / 2];
    println!("{what:<36} median {median:>10.2?}  min {min:>10.2?}  max {max:>10.2?}");
}
