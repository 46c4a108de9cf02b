//! Text hygiene at the edge: every request's path, query string, form body and JSON
//! body is checked once, here, before any handler or extractor sees it, so no route can
//! forget it. Refused with 400: percent-encoded bytes that are not UTF-8 (a form
//! extractor would silently turn them into U+FFFD) and control characters other than
//! tab, line feed and carriage return anywhere in a value or a key (PostgreSQL cannot
//! store NUL and answered 500; SQLite stored it and wrote it into exports). Files
//! (multipart, CSV and XLSX bodies) are checked by their readers, cell by cell, so the
//! refusal can name the line.
//!
//! JSON is walked with a visitor that keeps nothing (no `serde_json::Value`), so the
//! check costs no memory beyond the buffered body, which is limited to
//! [`JSON_BODY_LIMIT`], the limit axum's `Json` extractor applies anyway.

use crate::error::{AppError, ErrorKind};
use crate::file_limits::{control_text, too_large_text};
use crate::i18n::Tr;
use crate::middleware::RequestLang;
use axum::body::Body;
use axum::extract::Request;
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use diaban_domain::text::forbidden_control;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::cell::Cell;

/// The largest JSON or form body read (axum's own default for `Json` and `Form`).
pub const JSON_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// What is wrong with a piece of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFault {
    /// Percent-encoded bytes that are not UTF-8.
    NotUtf8,
    /// A forbidden control character.
    Control(char),
}

fn hex(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Checks one `application/x-www-form-urlencoded` string (a query or a form body) the
/// way a form extractor decodes it: `+` is a space, `%XX` a byte; every key and value
/// must then be UTF-8 without forbidden control characters.
pub fn check_urlencoded(input: &[u8]) -> Result<(), TextFault> {
    for part in input.split(|b| *b == b'&' || *b == b'=') {
        let mut decoded = Vec::with_capacity(part.len());
        let mut i = 0;
        while i < part.len() {
            match part[i] {
                b'+' => decoded.push(b' '),
                b'%' if i + 2 < part.len() => match (hex(part[i + 1]), hex(part[i + 2])) {
                    (Some(h), Some(l)) => {
                        decoded.push(h * 16 + l);
                        i += 2;
                    }
                    _ => decoded.push(b'%'),
                },
                b => decoded.push(b),
            }
            i += 1;
        }
        let text = std::str::from_utf8(&decoded).map_err(|_| TextFault::NotUtf8)?;
        if let Some(c) = forbidden_control(text) {
            return Err(TextFault::Control(c));
        }
    }
    Ok(())
}

/// Walks a JSON document, recording the first forbidden control character of any string
/// (key or value) and keeping nothing else.
struct Walk<'a>(&'a Cell<Option<char>>);

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<(), E> {
        if let Some(c) = forbidden_control(v) {
            self.0.set(Some(c));
            // Stop at the first one: the answer is the same whatever follows.
            return Err(E::custom("forbidden control character"));
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element_seed(Walk(self.0))?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_key_seed(Walk(self.0))?.is_some() {
            map.next_value_seed(Walk(self.0))?;
        }
        Ok(())
    }
}

/// The first forbidden control character in the strings of a JSON document. A document
/// that is not JSON has none: the route's extractor refuses it with its own message.
pub fn json_control(body: &[u8]) -> Option<char> {
    let found = Cell::new(None);
    let mut de = serde_json::Deserializer::from_slice(body);
    let _ = Walk(&found).deserialize(&mut de);
    found.get()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Form,
    Json,
    Other,
}

fn body_kind(req: &Request) -> BodyKind {
    let Some(ct) = req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return BodyKind::Other;
    };
    let essence = ct.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if essence == "application/x-www-form-urlencoded" {
        BodyKind::Form
    } else if essence == "application/json" || essence.ends_with("+json") {
        BodyKind::Json
    } else {
        BodyKind::Other
    }
}

fn refusal(fault: TextFault, tr: Tr) -> Response {
    let message = match fault {
        TextFault::NotUtf8 => tr.t("limits.form_not_utf8").to_owned(),
        TextFault::Control(c) => control_text(c, tr),
    };
    tracing::info!(?fault, "input refused: text hygiene");
    AppError::told(ErrorKind::BadRequest, message).into_response()
}

/// The middleware: checks the path, the query and a form or JSON body; hands the
/// request on unchanged (the body re-attached) when they are clean.
pub async fn refuse_bad_text(req: Request, next: Next) -> Response {
    let tr = Tr(req.extensions().get::<RequestLang>().and_then(|l| l.0).unwrap_or_default());
    let uri = req.uri();
    if let Err(f) = check_urlencoded(uri.path().replace('+', "%2B").as_bytes()) {
        return refusal(f, tr);
    }
    if let Some(q) = uri.query()
        && let Err(f) = check_urlencoded(q.as_bytes())
    {
        return refusal(f, tr);
    }
    let kind = body_kind(&req);
    if kind == BodyKind::Other {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, JSON_BODY_LIMIT).await else {
        return AppError::told(ErrorKind::PayloadTooLarge, too_large_text(JSON_BODY_LIMIT as u64, tr))
            .into_response();
    };
    let fault = match kind {
        BodyKind::Form => check_urlencoded(&bytes).err(),
        _ => json_control(&bytes).map(TextFault::Control),
    };
    if let Some(f) = fault {
        return refusal(f, tr);
    }
    next.run(Request::from_parts(parts, Body::from(bytes))).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlencoded_controls_and_bad_utf8_are_found() {
        assert_eq!(check_urlencoded(b"a=Qu%E1%BA%A3ng+Ng%C3%A3i&b=x%09y%0D%0A"), Ok(()));
        assert_eq!(check_urlencoded(b"name=a%00b"), Err(TextFault::Control('\0')));
        assert_eq!(check_urlencoded(b"a%01=b"), Err(TextFault::Control('\u{1}')));
        assert_eq!(check_urlencoded(b"name=%C2%85"), Err(TextFault::Control('\u{85}')));
        assert_eq!(check_urlencoded(b"name=%FF"), Err(TextFault::NotUtf8));
        assert_eq!(check_urlencoded(b"name=%E1%BA"), Err(TextFault::NotUtf8));
        // A lone or broken percent sign is text, as the form decoder reads it.
        assert_eq!(check_urlencoded(b"p=100%&q=%zz&r=%4"), Ok(()));
        assert_eq!(check_urlencoded(b"p=%"), Ok(()));
        assert_eq!(check_urlencoded(b"p=%0"), Ok(()));
        assert_eq!(check_urlencoded(b"p=%00"), Err(TextFault::Control('\0')));
    }

    #[test]
    fn json_strings_and_keys_are_walked() {
        assert_eq!(json_control(br#"{"a":["x\ty",{"b":"Qu\u1ea3ng"}],"n":-1.5,"t":true,"z":null}"#), None);
        assert_eq!(json_control(br#"{"username":"a\u0000"}"#), Some('\0'));
        assert_eq!(json_control(br#"{"a\u001b":1}"#), Some('\u{1b}'));
        assert_eq!(json_control(br#"[[["\u007f"]]]"#), Some('\u{7f}'));
        // An escaped backslash followed by u0000 is six ordinary characters.
        assert_eq!(json_control(br#"{"a":"\\u0000"}"#), None);
        assert_eq!(json_control(b"not json \x00"), None);
    }
}
