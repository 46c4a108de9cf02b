//! Time-based one-time passwords (RFC 6238) for the second login factor.
//!
//! The parameters are the ones every authenticator app supports: HMAC-SHA-1,
//! 6 digits, 30-second steps. SHA-1's collision weakness does not matter
//! here; HOTP needs HMAC-SHA-1 only to be a pseudo-random function.
//!
//! Implemented directly on the `hmac` and `sha1` crates (about 20 lines of
//! RFC 4226 truncation) rather than with the `totp-lite` crate: its latest
//! release (2.0.1) is built on the previous generation of the `RustCrypto`
//! hashes (`digest` 0.10, `hmac` 0.12, `sha1`/`sha2` 0.10), so it would add a
//! second copy of the whole hash stack next to the `hmac` 0.13 / `sha2` 0.11
//! used everywhere else, and it provides neither base32 nor a verification
//! window.
//!
//! The secret is a credential: store it sealed ([`crate::KeyRing::seal`]),
//! never in clear. To stop a code from being used twice within its window,
//! record the step returned by [`verify_step`] and refuse codes whose step
//! is not greater than the last one accepted for that user.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use zeroize::Zeroizing;

use crate::encoding::{base32_decode, base32_encode};
use crate::token::{constant_time_eq, fill_random};

/// Digits per code.
pub const DIGITS: u32 = 6;
/// Seconds per time step.
pub const PERIOD_SECS: u64 = 30;
/// Bytes of a generated secret: 160 bits, as RFC 4226 recommends.
pub const SECRET_BYTES: usize = 20;
/// Secrets shorter than this (RFC 4226's minimum of 128 bits) are refused.
const MIN_SECRET_BYTES: usize = 16;

/// A new random secret: 20 bytes as unpadded uppercase base32 (32
/// characters), the form authenticator apps accept.
///
/// # Panics
///
/// If the OS random generator fails (see [`crate::token::fill_random`]).
#[must_use]
pub fn generate_secret() -> String {
    let mut bytes = Zeroizing::new([0u8; SECRET_BYTES]);
    fill_random(&mut bytes[..]);
    base32_encode(&bytes[..])
}

/// The `otpauth://` URI that authenticator apps read from a QR code:
///
/// ```text
/// otpauth://totp/<issuer>:<account>?secret=<secret>&issuer=<issuer>&algorithm=SHA1&digits=6&period=30
/// ```
///
/// `issuer` and `account` are percent-encoded (UTF-8), so Vietnamese text and
/// a `:` inside either are safe. The secret is put in canonical form
/// (uppercase, without spaces, hyphens or padding).
#[must_use]
pub fn otpauth_uri(issuer: &str, account: &str, secret_b32: &str) -> String {
    let secret: String = secret_b32
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '='))
        .map(|c| c.to_ascii_uppercase())
        .collect();
    let issuer = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer}:{account}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={PERIOD_SECS}",
        account = percent_encode(account),
    )
}

/// Whether `code` is valid at `unix_time` (seconds since 1970), accepting the
/// previous, current and next step so that a clock off by up to 30 seconds,
/// or a code typed just as it changed, still works. Spaces in `code` are
/// ignored. An invalid secret gives `false`.
#[must_use]
pub fn verify(secret_b32: &str, code: &str, unix_time: u64) -> bool {
    verify_step(secret_b32, code, unix_time).is_some()
}

/// Like [`verify`], but returns the time step (`unix_time / 30`, give or
/// take one) the code belongs to, for replay protection (see the
/// [module documentation](self)).
#[must_use]
pub fn verify_step(secret_b32: &str, code: &str, unix_time: u64) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let key = decode_secret(secret_b32)?;
    let now = unix_time / PERIOD_SECS;
    let mut matched = None;
    // Every candidate is computed and compared, so the time taken does not
    // tell which step (if any) matched.
    for step in [now.checked_sub(1), Some(now), now.checked_add(1)].into_iter().flatten() {
        let expected = format_code(hotp(&key, step), DIGITS);
        if constant_time_eq(expected.as_bytes(), code.as_bytes()) {
            matched = Some(step);
        }
    }
    matched
}

/// The code for `unix_time`, or `None` if the secret is not valid base32 of
/// at least 16 bytes. For tests and for showing a code to confirm
/// enrolment; logins use [`verify`].
#[must_use]
pub fn code_at(secret_b32: &str, unix_time: u64) -> Option<String> {
    let key = decode_secret(secret_b32)?;
    Some(format_code(hotp(&key, unix_time / PERIOD_SECS), DIGITS))
}

fn decode_secret(secret_b32: &str) -> Option<Zeroizing<Vec<u8>>> {
    let key = Zeroizing::new(base32_decode(secret_b32)?);
    (key.len() >= MIN_SECRET_BYTES).then_some(key)
}

/// RFC 4226 HOTP before reduction to digits: HMAC-SHA-1 of the big-endian
/// counter, then "dynamic truncation" to a 31-bit number.
fn hotp(key: &[u8], counter: u64) -> u32 {
    let mut mac = Hmac::<Sha1>::new_from_slice(key)
        // HMAC accepts keys of any length.
        .expect("HMAC accepts keys of any length");
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    // The low nibble of the last byte picks where the 4 bytes are read;
    // at most 15 + 4 = 19 < 20, so the slice is always in range.
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let mut word = [0u8; 4];
    word.copy_from_slice(&digest[offset..offset + 4]);
    // The top bit is masked so that signed and unsigned implementations agree.
    u32::from_be_bytes(word) & 0x7fff_ffff
}

/// The last `digits` decimal digits of `value`, zero-padded.
fn format_code(value: u32, digits: u32) -> String {
    let modulus = 10u64.pow(digits);
    format!("{:0width$}", u64::from(value) % modulus, width = digits as usize)
}

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX_UPPER[usize::from(b >> 4)]));
            out.push(char::from(HEX_UPPER[usize::from(b & 0x0f)]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 seed, the ASCII string "12345678901234567890".
    const RFC_SEED: &[u8] = b"12345678901234567890";

    fn rfc_secret() -> String {
        base32_encode(RFC_SEED)
    }

    #[test]
    fn rfc_seed_in_base32() {
        assert_eq!(rfc_secret(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    #[test]
    fn rfc4226_hotp_vectors() {
        // RFC 4226 appendix D, counters 0 to 9.
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871",
            "520489",
        ];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(format_code(hotp(RFC_SEED, counter as u64), 6), *code);
        }
    }

    /// RFC 6238 appendix B, SHA-1 rows: (time, 8-digit TOTP).
    const RFC6238_SHA1: [(u64, &str); 6] = [
        (59, "94287082"),
        (1_111_111_109, "07081804"),
        (1_111_111_111, "14050471"),
        (1_234_567_890, "89005924"),
        (2_000_000_000, "69279037"),
        (20_000_000_000, "65353130"),
    ];

    #[test]
    fn rfc6238_vectors_eight_digits() {
        for (time, code) in RFC6238_SHA1 {
            assert_eq!(format_code(hotp(RFC_SEED, time / 30), 8), code, "t={time}");
        }
    }

    #[test]
    fn rfc6238_vectors_six_digits_and_verify() {
        // A 6-digit code is the 8-digit one modulo 10^6: its last six digits.
        let secret = rfc_secret();
        for (time, code8) in RFC6238_SHA1 {
            let code6 = &code8[2..];
            assert_eq!(code_at(&secret, time).as_deref(), Some(code6), "t={time}");
            assert!(verify(&secret, code6, time), "t={time}");
        }
    }

    #[test]
    fn window_is_one_step_each_way() {
        let secret = rfc_secret();
        let t = 1_234_567_890;
        let code = code_at(&secret, t).unwrap();
        let step = t / 30;
        assert_eq!(verify_step(&secret, &code, t), Some(step));
        assert_eq!(verify_step(&secret, &code, t + 30), Some(step));
        assert_eq!(verify_step(&secret, &code, t - 30), Some(step));
        assert!(!verify(&secret, &code, t + 60));
        assert!(!verify(&secret, &code, t - 60));
    }

    #[test]
    fn time_zero_does_not_underflow() {
        let secret = rfc_secret();
        let code = code_at(&secret, 0).unwrap();
        assert_eq!(verify_step(&secret, &code, 0), Some(0));
        assert_eq!(verify_step(&secret, &code, u64::MAX), None);
    }

    #[test]
    fn malformed_codes_and_secrets_are_rejected() {
        let secret = rfc_secret();
        let t = 59;
        assert!(verify(&secret, "287 082", t), "spaces are ignored");
        for bad in ["", "28708", "2870820", "28708a", "２８７０８２", "-87082"] {
            assert!(!verify(&secret, bad, t), "{bad:?}");
        }
        assert!(!verify("not base32!", "287082", t));
        assert!(!verify("GEZDGNBV", "287082", t), "5-byte secret is too short");
        assert_eq!(code_at("", t), None);
        // Lower case and grouped secrets are accepted.
        assert!(verify(&secret.to_lowercase(), "287082", t));
    }

    #[test]
    fn generated_secrets_are_32_base32_chars_and_usable() {
        let secret = generate_secret();
        assert_eq!(secret.len(), 32);
        assert!(secret.bytes().all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)));
        assert_eq!(base32_decode(&secret).unwrap().len(), SECRET_BYTES);
        assert_ne!(secret, generate_secret());
        let code = code_at(&secret, 1_700_000_000).unwrap();
        assert!(verify(&secret, &code, 1_700_000_000));
    }

    #[test]
    fn otpauth_uri_encodes_label_and_parameters() {
        let uri = otpauth_uri("Diaban Sở Y tế", "cán.bộ@example.vn", "gezd gnbv-gy3t");
        assert_eq!(
            uri,
            "otpauth://totp/Diaban%20S%E1%BB%9F%20Y%20t%E1%BA%BF:c%C3%A1n.b%E1%BB%99%40example.vn\
             ?secret=GEZDGNBVGY3T&issuer=Diaban%20S%E1%BB%9F%20Y%20t%E1%BA%BF\
             &algorithm=SHA1&digits=6&period=30"
        );
        let colon = otpauth_uri("a:b", "c", "GEZDGNBV");
        assert!(colon.starts_with("otpauth://totp/a%3Ab:c?"));
    }
}
