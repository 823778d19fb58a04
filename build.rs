//! Gives the binary an identity of the code it was built from: a hash of
//! every file under `src/` and `themes/`, `Cargo.toml` and `Cargo.lock`, as
//! `THROUGHLINE_CODE_HASH`. The render cache of a build trusts only a cache
//! written by the same code (`render::build_identity`), and a version number
//! alone does not change between two builds of changed code.

use std::hash::Hasher;
use std::path::{Path, PathBuf};

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let mut files = Vec::new();
    for dir in ["src", "themes"] {
        println!("cargo:rerun-if-changed={dir}");
        collect(&root.join(dir), &mut files);
    }
    for file in ["Cargo.toml", "Cargo.lock"] {
        println!("cargo:rerun-if-changed={file}");
        files.push(root.join(file));
    }
    files.sort();
    // FNV-1a: fixed for good, unlike the standard hasher, and this is a
    // fingerprint of trusted files, not a defence against chosen input.
    let mut hash = Fnv(0xcbf2_9ce4_8422_2325);
    for file in &files {
        let relative = file.strip_prefix(&root).unwrap_or(file);
        hash.write(relative.to_string_lossy().as_bytes());
        hash.write(&[0]);
        // A file that cannot be read (Cargo.lock before the first build)
        // counts as empty.
        let bytes = std::fs::read(file).unwrap_or_default();
        hash.write(&(bytes.len() as u64).to_le_bytes());
        hash.write(&bytes);
    }
    println!(
        "cargo:rustc-env=THROUGHLINE_CODE_HASH={:016x}",
        hash.finish()
    );
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}

struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}
