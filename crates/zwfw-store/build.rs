//! Derives the list of embedded migrations from the files in `migrations/`:
//! each `NNNN_name.sql` becomes `(NNNN, "name", include_str!(...))`, in
//! order of its number. The numbers start at 1 and have no gap and no
//! duplicate; any other file there fails the build. Hidden files and the
//! folders below `migrations/` (such as `released/`, texts as they were
//! first released) are not migrations and are left out.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    let dir = Path::new(&std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR")).join("migrations");
    let migrations = match read(&dir) {
        Ok(m) => m,
        Err(e) => {
            // Cargo shows a failed build script's standard error.
            eprintln!("error: migrations in {}: {e}", dir.display());
            std::process::exit(1);
        }
    };
    let mut out = String::from(
        "/// The embedded migrations, in order: `(version, name, text)`, derived\n\
         /// at build time from the files `migrations/NNNN_name.sql`.\n\
         pub const MIGRATIONS: &[(i64, &str, &str)] = &[\n",
    );
    for (version, name, path) in &migrations {
        let path = path.to_str().expect("the path of a migration is UTF-8");
        writeln!(out, "    ({version}, {name:?}, include_str!({path:?})),").unwrap();
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("migrations.rs");
    std::fs::write(&dest, out).unwrap_or_else(|e| panic!("cannot write {}: {e}", dest.display()));
}

/// The migrations of `dir` ordered by number, or why the folder is not a
/// valid list of migrations.
fn read(dir: &Path) -> Result<Vec<(i64, String, PathBuf)>, String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read the folder: {e}"))?;
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read the folder: {e}"))?;
        let path = entry.path();
        if path.is_dir() {
            continue;
        }
        let file = entry.file_name();
        let file = file.to_str().ok_or_else(|| format!("{:?} is not a UTF-8 file name", entry.file_name()))?;
        if file.starts_with('.') {
            // An editor's or the system's hidden file.
            continue;
        }
        let (version, name) = parse_name(file)?;
        found.push((version, name, path));
    }
    found.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    for pair in found.windows(2) {
        if pair[0].0 == pair[1].0 {
            return Err(format!(
                "two migrations have the number {:04}: {} and {}",
                pair[0].0,
                file_name(&pair[0].2),
                file_name(&pair[1].2)
            ));
        }
    }
    for (expected, (version, _, path)) in (1..).zip(&found) {
        if *version != expected {
            return Err(format!(
                "the numbers have a gap: {} follows number {:04}, {:04} is missing",
                file_name(path),
                expected - 1,
                expected
            ));
        }
    }
    Ok(found)
}

/// `(NNNN, name)` of a file named `NNNN_name.sql`: four digits, an
/// underscore, a name of lower-case ASCII letters, digits and underscores.
fn parse_name(file: &str) -> Result<(i64, String), String> {
    let bad = |why: &str| {
        Err(format!("{file:?} is not a migration's name ({why}); a migration is named NNNN_name.sql, NNNN its number in four digits, name in lower-case letters, digits and underscores"))
    };
    let Some(stem) = file.strip_suffix(".sql") else { return bad("it does not end in .sql") };
    let Some((number, name)) = stem.split_once('_') else { return bad("no underscore after the number") };
    if number.len() != 4 || !number.bytes().all(|b| b.is_ascii_digit()) {
        return bad("the number is not four digits");
    }
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
        return bad("the name is empty or has a character other than a-z, 0-9 and _");
    }
    let version: i64 = number.parse().map_err(|_| format!("{file:?}: bad number"))?;
    if version == 0 {
        return bad("the numbers start at 0001");
    }
    Ok((version, name.to_string()))
}

fn file_name(path: &Path) -> String {
    path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default()
}
