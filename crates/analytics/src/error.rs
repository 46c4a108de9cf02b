//! The one error type of the crate: a kind a caller can match on, plus a
//! message written for the person who supplied the input.

use std::fmt;

/// What went wrong, coarse enough to match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Reading or writing a file failed.
    Io,
    /// The input holds no incidents at all (no bytes, only a header, or every
    /// row was skipped).
    EmptyInput,
    /// The first line is not a header naming the `lat`, `lon` and `date`
    /// columns.
    InvalidHeader,
    /// One or more rows could not be parsed or lie outside the valid range;
    /// [`Error::line`] names the first of them.
    InvalidRow,
    /// A parameter (resolution, K, α, bandwidth, …) is outside its domain.
    InvalidParameter,
    /// A value is not a valid H3 cell index.
    InvalidCell,
}

/// An error from this crate.
///
/// The message is complete on its own (it names the line and the reason for
/// bad rows), so a command-line tool can print it as one line.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    line: Option<u64>,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), line: None }
    }

    pub(crate) fn at_line(kind: ErrorKind, line: u64, message: impl Into<String>) -> Self {
        Self { kind, message: message.into(), line: Some(line) }
    }

    /// The I/O error's text goes into the message rather than behind
    /// `source()`, so that printing the error chain does not repeat it.
    pub(crate) fn io(context: impl fmt::Display, source: &std::io::Error) -> Self {
        Self::new(ErrorKind::Io, format!("{context}: {source}"))
    }

    pub(crate) fn parameter(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidParameter, message)
    }

    /// The kind of error.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The 1-based line of the input that caused the error, when one did.
    pub fn line(&self) -> Option<u64> {
        self.line
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;
