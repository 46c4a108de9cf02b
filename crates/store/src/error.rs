//! The store's error type. Constraint violations are mapped to user-facing kinds in
//! one place ([`DbError::from_sqlx`]) so callers never parse database messages.

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The database URL names an engine diaban does not support.
    #[error("unsupported database URL scheme '{0}': use sqlite://PATH or postgres://USER@HOST/DB")]
    UnsupportedScheme(String),
    /// The database could not be opened or reached.
    #[error("cannot open the database: {0}")]
    Connect(String),
    /// A migration failed.
    #[error("database migration failed: {0}")]
    Migrate(String),
    /// A row the caller asked for does not exist.
    #[error("not found")]
    NotFound,
    /// A uniqueness constraint was violated (the name of the constraint, when known).
    #[error("already exists")]
    Conflict(Option<String>),
    /// A foreign key or check constraint was violated.
    #[error("the data breaks a rule of the database: {0}")]
    Constraint(String),
    /// Input to a store function was invalid (a bad row in an import, …).
    #[error("{0}")]
    Invalid(String),
    /// Any other database failure.
    #[error("database error: {0}")]
    Other(String),
}

impl DbError {
    /// Classifies an sqlx error once, for both engines.
    pub(crate) fn from_sqlx(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => DbError::NotFound,
            sqlx::Error::Database(db) => {
                let constraint = db.constraint().map(str::to_owned);
                match db.kind() {
                    sqlx::error::ErrorKind::UniqueViolation => DbError::Conflict(constraint),
                    sqlx::error::ErrorKind::ForeignKeyViolation
                    | sqlx::error::ErrorKind::CheckViolation
                    | sqlx::error::ErrorKind::NotNullViolation => {
                        DbError::Constraint(db.message().to_owned())
                    }
                    _ => DbError::Other(db.message().to_owned()),
                }
            }
            _ => DbError::Other(e.to_string()),
        }
    }
}

impl From<sqlx::Error> for DbError {
    fn from(e: sqlx::Error) -> Self {
        DbError::from_sqlx(e)
    }
}
