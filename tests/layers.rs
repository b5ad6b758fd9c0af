//! The layer rule of `src/lib.rs`, checked: every `crate::` path in non-test code of a module
//! names a module of the same or a lower layer. The table is read from the `//! | layer |
//! modules |` rows of `src/lib.rs` itself, so the documented table cannot drift from the code:
//! a module missing from it, or an import from a higher layer, fails this test.

use std::collections::BTreeMap;
use std::path::Path;

use crate::util::repo_path;

/// module → layer, from the lib.rs doc table rows `//! | 3 | [`mill`], [`image`] |`.
fn layer_table() -> BTreeMap<String, u32> {
    let lib = std::fs::read_to_string(repo_path("src/lib.rs")).unwrap();
    let mut table = BTreeMap::new();
    for line in lib.lines() {
        let Some(row) = line.strip_prefix("//! |") else {
            continue;
        };
        let mut cells = row.split('|');
        let Ok(layer) = cells.next().unwrap_or("").trim().parse::<u32>() else {
            continue;
        };
        for module in cells.next().unwrap_or("").split(',') {
            let name = module
                .trim()
                .trim_start_matches("[`")
                .trim_end_matches("`]");
            if !name.is_empty() {
                table.insert(name.to_string(), layer);
            }
        }
    }
    table
}

/// The text of a source file without its trailing `#[cfg(test)] mod … { … }` block(s): test
/// modules sit at the end of a file by the crate's convention, and tests may use any layer.
fn non_test_code(text: &str) -> &str {
    let mut from = 0;
    while let Some(i) = text[from..].find("#[cfg(test)]") {
        let at = from + i;
        let item = text[at + "#[cfg(test)]".len()..].trim_start();
        let item = item
            .strip_prefix("pub(crate) ")
            .or_else(|| item.strip_prefix("pub "))
            .unwrap_or(item);
        let header = &item[..item.find(['{', ';']).unwrap_or(item.len())];
        if item.starts_with("mod ") && item[header.len()..].starts_with('{') {
            return &text[..at];
        }
        from = at + 1;
    }
    text
}

/// The first path segment after every `crate::` (grouped imports `crate::{a, b::c}` give each
/// group member), skipping `$crate` in macros and macro invocations (`crate::choices!`).
fn crate_references(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    let bytes = code.as_bytes();
    let mut start = 0;
    while let Some(i) = code[start..].find("crate::") {
        let at = start + i;
        start = at + 7;
        let preceded = at > 0
            && (bytes[at - 1] == b'$'
                || bytes[at - 1].is_ascii_alphanumeric()
                || bytes[at - 1] == b'_');
        if preceded {
            continue;
        }
        let rest = &code[at + 7..];
        if let Some(group) = rest.strip_prefix('{') {
            let inner = &group[..group.find('}').unwrap_or(group.len())];
            for item in inner.split(',') {
                let name: String = item
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.push(name);
                }
            }
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if rest[name.len()..].starts_with('!') {
            continue;
        }
        if !name.is_empty() {
            found.push(name);
        }
    }
    found
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_module_imports_a_higher_layer() {
    let table = layer_table();
    assert!(
        table.len() >= 15,
        "layer table of src/lib.rs not found: {table:?}"
    );
    let src = repo_path("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut violations = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let name = relative.file_name().unwrap().to_string_lossy();
        if name == "tests.rs" || name.ends_with("_tests.rs") || name == "testkit.rs" {
            continue;
        }
        let top = relative
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        let top = top.trim_end_matches(".rs");
        if top == "lib" || top == "main" {
            continue;
        }
        let Some(&own) = table.get(top) else {
            violations.push(format!(
                "src/{}: module `{top}` is not in the layer table of src/lib.rs",
                relative.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        // Comments (doc links included) name modules without importing them.
        let code: String = non_test_code(&text)
            .lines()
            .map(|l| l.split("//").next().unwrap_or(""))
            .collect::<Vec<_>>()
            .join("\n");
        for used in crate_references(&code) {
            match table.get(&used) {
                Some(&layer) if layer <= own => {}
                Some(&layer) => violations.push(format!(
                    "src/{}: `{top}` (layer {own}) uses `crate::{used}` (layer {layer})",
                    relative.display()
                )),
                None => violations.push(format!(
                    "src/{}: `crate::{used}` is not a module of the layer table",
                    relative.display()
                )),
            }
        }
    }
    violations.sort();
    violations.dedup();
    assert!(
        violations.is_empty(),
        "layer rule broken:\n{}",
        violations.join("\n")
    );
}
