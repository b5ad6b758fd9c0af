//! Error types of the library. Only the CLI maps them to exit codes.
//!
//! User errors (bad scenario, bad material file, bad flag value) are [`Error::Input`] and map
//! to exit code 2; everything else (I/O on the results directory, a decoder crash) maps to 1.

use std::path::PathBuf;

/// A problem in what the user gave us: the file, the key, the rule broken and what to change.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    /// File the problem is in (`None` for command-line flags).
    pub file: Option<PathBuf>,
    /// Dotted key path, e.g. `pattern.module_pitch_nm`, or a flag such as `--energy-kev`.
    pub key: String,
    /// 1-based line in the file, where the parser could locate it.
    pub line: Option<usize>,
    /// The rule that was broken, e.g. "must be > 0 (got -5)".
    pub rule: String,
    /// What to change.
    pub hint: String,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{}:{}: ", file.display(), line)?,
            (Some(file), None) => write!(f, "{}: ", file.display())?,
            (None, _) => {}
        }
        if !self.key.is_empty() {
            write!(f, "{}: ", self.key)?;
        }
        write!(f, "{}", self.rule)?;
        if !self.hint.is_empty() {
            write!(f, "\n  hint: {}", self.hint)?;
        }
        Ok(())
    }
}

/// The crate's error type.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad user input (scenario, material file, flag). Exit code 2.
    #[error("{0}")]
    Input(Box<InputError>),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A computation could not proceed (e.g. a numerical limit was reached).
    #[error("{0}")]
    Numerical(String),
}

impl Error {
    /// Shorthand for an input error.
    pub fn input(
        file: Option<PathBuf>,
        key: impl Into<String>,
        line: Option<usize>,
        rule: impl Into<String>,
        hint: impl Into<String>,
    ) -> Self {
        Error::Input(Box::new(InputError {
            file,
            key: key.into(),
            line,
            rule: rule.into(),
            hint: hint.into(),
        }))
    }

    /// Exit code the CLI uses for this error: 2 for bad input, 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Input(_) => 2,
            _ => 1,
        }
    }
}

/// Result alias.
pub type Result<T> = std::result::Result<T, Error>;
