//! Reading back the CSV tables a run wrote, for figures redrawn without physics
//! (`millage plot`) — and for the figures of the run itself, which are drawn from the same
//! CSV text so that a redraw reproduces them exactly.

use std::path::Path;

use crate::error::{Error, Result};

/// A CSV table: header and rows of strings.
#[derive(Debug, Clone)]
pub struct Table {
    /// Column names.
    pub header: Vec<String>,
    /// Rows, each as long as the header.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Parses CSV text; `origin` names the file in errors.
    pub fn parse(text: &str, origin: &Path) -> Result<Table> {
        let fail = |e: csv::Error| Error::Numerical(format!("{}: {e}", origin.display()));
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header = reader
            .headers()
            .map_err(fail)?
            .iter()
            .map(str::to_string)
            .collect();
        let mut rows = Vec::new();
        for record in reader.records() {
            rows.push(record.map_err(fail)?.iter().map(str::to_string).collect());
        }
        Ok(Table { header, rows })
    }

    /// Reads `path`.
    pub fn read(path: &Path) -> Result<Table> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Table::parse(&text, path)
    }

    /// Reads `path` if it exists.
    pub fn read_if_present(path: &Path) -> Result<Option<Table>> {
        if path.is_file() {
            Table::read(path).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Index of column `name`.
    pub fn col(&self, name: &str) -> Option<usize> {
        self.header.iter().position(|h| h == name)
    }

    /// Column `name` of `row` as a number (None: no such column, empty or not a number).
    pub fn num(&self, row: &[String], name: &str) -> Option<f64> {
        self.col(name)
            .and_then(|c| row.get(c))
            .and_then(|v| v.parse::<f64>().ok())
    }

    /// Column `name` of `row` as text.
    pub fn text<'a>(&self, row: &'a [String], name: &str) -> Option<&'a str> {
        self.col(name).and_then(|c| row.get(c)).map(String::as_str)
    }
}
