//! Files for unit tests, each in a directory of its own that is removed when the test is done
//! with it (also when the test fails), so that test runs leave nothing behind in the system's
//! temporary directory.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A file written for a test; its directory is removed when it is dropped. Derefs to its path.
pub(crate) struct TestFile {
    dir: PathBuf,
    path: PathBuf,
}

impl TestFile {
    /// Writes `text` to a file named `name` in a fresh directory, unique to this process and
    /// call.
    pub(crate) fn new(name: &str, text: &str) -> TestFile {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "lead-customers-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        TestFile { dir, path }
    }
}

impl Deref for TestFile {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.path
    }
}

impl AsRef<Path> for TestFile {
    fn as_ref(&self) -> &Path {
        &self.path
    }
}

impl Drop for TestFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::TestFile;

    #[test]
    fn a_test_file_is_gone_with_its_directory_when_dropped() {
        let file = TestFile::new("a.csv", "x\n");
        let (path, dir) = (file.to_path_buf(), file.parent().unwrap().to_path_buf());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "x\n");
        assert_ne!(TestFile::new("a.csv", "").parent(), Some(dir.as_path()));
        drop(file);
        assert!(!dir.exists());
    }
}
